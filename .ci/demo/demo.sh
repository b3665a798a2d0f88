#!/usr/bin/env bash
# `make demo`: on a fresh machine, brings up the local cluster, builds and imports the images,
# installs the CRDs and the operator with the Helm chart, labels the node (.ci/demo/setup.sh), then
# measures memif, testpmd and OVS-DPDK (method max, 64 and 512 B, the isolated-dut placement) and
# prints the paper's Figure 3 as a table of ratios to memif, and as SVG and PNG files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh
. .ci/demo/lib.sh

bash .ci/demo/setup.sh operator traffic testpmd ovs-dpdk
names=(demo-memif demo-testpmd demo-ovs-dpdk)

step "Measuring memif, testpmd and OVS-DPDK: method max, 64 and 512 B, isolated-dut placement"
kc delete switchbenchmark "${names[@]}" --ignore-not-found --cascade=foreground --wait=true >/dev/null
node .ci/demo/benchmark.mjs | kc apply -f -
wait_for_runs 15 "${names[@]/%/-1}"

step "Results: maximum throughput per path and frame size, as a ratio of memif (the paper's Figure 3)"
kc get switchbenchmarks "${names[@]}"
echo
plugin compare "${names[@]}"
figures=${DEMO_FIGURES:-$PWD/dist/demo}
mkdir -p "$figures"
plugin plot "${names[@]}" --figure 3 --output-file "$figures/figure3.svg"
plugin plot "${names[@]}" --figure 3 --output-file "$figures/figure3.png"
require_succeeded "${names[@]/%/-1}"
