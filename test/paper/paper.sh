#!/usr/bin/env bash
# `make paper`: the paper's Figure 2, Figure 3 and Table 1 on the local cluster, through the operator
# and the plugin only: SwitchBenchmarks in (benchmarks.mjs), `kubectl switchbench` figures and exports
# out, then docs/paper-reproduction.md (report.mjs) with the figures in docs/figures/paper/.
# VPP and Snabb join Figure 3 when their images are in the cluster's containerd (images/vpp and
# images/snabb are built by machines that can reach FD.io and the Snabb sources).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh
. .ci/demo/lib.sh

bash .ci/demo/setup.sh operator traffic testpmd ovs-dpdk multus
# Table 1's kernel path needs Multus, which is node-wide: installed by the release for these runs
# only, so that the test tiers sharing this cluster find the node as they expect it.
multus() {
  helm upgrade switchbench charts/switchbench -n switchbench-system --reuse-values --set "multus.install=$1" \
    --set "multus.cniConfDir=$CNI_CONF_DIR" --set "multus.cniBinDir=$CNI_BIN_DIR" --wait --timeout 180s >/dev/null
}
step "Installing Multus for the kernel path (removed again on exit)"
trap 'multus false' EXIT
multus true

exports=$PWD/dist/paper
figures=$PWD/docs/figures/paper
rm -rf "$exports"
mkdir -p "$exports" "$figures"
extra=()
not_measured='{"sriov": "no SR-IOV NIC on this machine (docs/multus-sriov.md)"'
for datapath in vpp snabb; do
  if ctr_k8s images ls -q | grep -qx "localhost/switchbench-$datapath:dev"; then
    extra+=("$datapath")
  else
    not_measured+=", \"$datapath\": \"no image: $(head -n 1 "images/$datapath/NOT-BUILT-LOCALLY" | sed 's/"/\\"/g')\""
  fi
done
echo "$not_measured}" >"$exports/not-measured.json"
node test/paper/benchmarks.mjs --names "${extra[@]}" >"$exports/names.json"
mapfile -t names < <(node -e 'for (const n of Object.values(JSON.parse(require("fs").readFileSync(process.argv[1])))) console.log(n.join("\n"))' "$exports/names.json")
names_of() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]].join(" "))' "$exports/names.json" "$1"; }

step "Measuring: ${#names[@]} benchmarks, one after the other (about 25 minutes)"
kc delete switchbenchmark "${names[@]}" --ignore-not-found --cascade=foreground --wait=true >/dev/null
node test/paper/benchmarks.mjs "${extra[@]}" | kc apply -f -
wait_for_runs 60 "${names[@]/%/-1}"
require_succeeded "${names[@]/%/-1}"

step "Exporting with kubectl switchbench into $exports and $figures"
for name in "${names[@]}"; do plugin export "$name" -o json --output-file "$exports/$name.json"; done
read -ra figure3 <<<"$(names_of figure3)"
plugin compare "${figure3[@]}" -o json >"$exports/compare.json"
plugin compare "${figure3[@]}"
plugin plot "${figure3[@]}" --figure 3 --output-file "$figures/figure3.svg"
for name in $(names_of figure2); do
  plugin plot "$name" --figure 2 --output-file "$figures/figure2-${name#paper-fig2-}.svg"
done
node test/paper/report.mjs "$exports"
echo "docs/paper-reproduction.md and $figures are regenerated: review and commit them"
