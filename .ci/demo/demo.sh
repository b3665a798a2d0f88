#!/usr/bin/env bash
# `make demo`: on a fresh machine, brings up the local cluster, builds and imports the images,
# installs the CRDs and the operator with the Helm chart, labels the node (.ci/demo/setup.sh), then
# measures memif, testpmd and OVS-DPDK (method max, 64 and 512 B, the isolated-dut placement) and
# prints the paper's Figure 3 as a table of ratios to memif, and as SVG and PNG files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh

step() { printf '\n==> %s\n' "$*"; }
kc() { "$K8S_BIN/kubectl" --kubeconfig "$CLUSTER_DIR/admin.kubeconfig" "$@"; }

bash .ci/demo/setup.sh operator traffic testpmd ovs-dpdk
plugin() { KUBECONFIG=$CLUSTER_DIR/admin.kubeconfig node dist/bundle/kubectl-switchbench.mjs "$@"; }
names=(demo-memif demo-testpmd demo-ovs-dpdk)

step "Measuring memif, testpmd and OVS-DPDK: method max, 64 and 512 B, isolated-dut placement"
kc delete switchbenchmark "${names[@]}" --ignore-not-found --cascade=foreground --wait=true >/dev/null
node .ci/demo/benchmark.mjs | kc apply -f -
# The three runs take the node in turn (one lock per node).
deadline=$((SECONDS + 900))
for name in "${names[@]}"; do
  until [[ $(kc get sbmrun "$name-1" -o jsonpath='{.status.phase}' 2>/dev/null) =~ ^(Succeeded|Failed)$ ]]; do
    ((SECONDS < deadline)) || die "the runs did not finish in 15 minutes: kc -n switchbench-system logs deploy/switchbench-operator"
    printf '\r%s' "$(kc get sbmrun "$name-1" --no-headers 2>/dev/null | tr -s ' ')"
    sleep 2
  done
  printf '\r%s\n' "$(kc get sbmrun "$name-1" --no-headers | tr -s ' ')"
done

step "Results: maximum throughput per path and frame size, as a ratio of memif (the paper's Figure 3)"
kc get switchbenchmarks "${names[@]}"
echo
plugin compare "${names[@]}"
figures=${DEMO_FIGURES:-$PWD/dist/demo}
mkdir -p "$figures"
plugin plot "${names[@]}" --figure 3 --output-file "$figures/figure3.svg"
plugin plot "${names[@]}" --figure 3 --output-file "$figures/figure3.png"
for name in "${names[@]}"; do
  [[ $(kc get sbmrun "$name-1" -o jsonpath='{.status.phase}') == Succeeded ]] || die "run $name-1 did not succeed: plugin results $name-1"
done
