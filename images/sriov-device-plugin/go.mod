module switchbench.local/images/sriov-device-plugin

go 1.24.0

require github.com/k8snetworkplumbingwg/sriov-network-device-plugin v0.0.0-20221127172732-a5a7395122e3
