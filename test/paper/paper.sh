#!/usr/bin/env bash
# `make paper`: the paper's Figure 2, Figure 3 and Table 1 on the local cluster, through the operator
# and the plugin only: SwitchBenchmarks in (benchmarks.mjs), `kubectl switchbench` figures and exports
# out, then docs/paper-reproduction.md (report.mjs) with the figures in docs/figures/paper/.
# VPP and Snabb join Figure 3 with EXTRA_SWITCHES="vpp snabb", on a machine that can build their
# images (images/vpp and images/snabb need FD.io's packages and the Snabb sources).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh
. .ci/demo/lib.sh

read -ra extra <<<"${EXTRA_SWITCHES-}"
for datapath in "${extra[@]}"; do
  [[ $datapath == vpp || $datapath == snabb ]] || die "EXTRA_SWITCHES: $datapath is not vpp or snabb"
done
bash .ci/demo/setup.sh operator traffic testpmd ovs-dpdk multus "${extra[@]}"
step "Installing Multus for the kernel path (removed again on exit)"
trap 'multus_release false' EXIT
multus_release true

exports=$PWD/dist/paper
figures=$PWD/docs/figures/paper
rm -rf "$exports"
mkdir -p "$exports" "$figures"
not_measured='{"sriov": "no SR-IOV NIC on this machine (docs/multus-sriov.md)"'
for datapath in vpp snabb; do
  [[ " ${extra[*]} " == *" $datapath "* ]] ||
    not_measured+=", \"$datapath\": \"no image: $(head -n 1 "images/$datapath/NOT-BUILT-LOCALLY" | sed 's/"/\\"/g')\""
done
echo "$not_measured}" >"$exports/not-measured.json"
# What the report states of the runs, recorded when they begin (it can be written again later from
# the exports). The local cluster's node is this machine: its bridge netfilter is read here.
bridge_netfilter=false
[[ $(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null) != 1 ]] || bridge_netfilter=true
printf '{"commit": "%s", "date": "%s", "bridgeNetfilter": %s}\n' "$(git rev-parse --short HEAD)" "$(date -u +%F)" \
  "$bridge_netfilter" >"$exports/machine.json"
node test/paper/benchmarks.mjs --names "${extra[@]}" >"$exports/names.json"
# names_of [GROUP] — the benchmarks of one group of names.json (figure2, figure3...), or of all.
names_of() {
  node -e 'const groups = JSON.parse(require("fs").readFileSync(process.argv[1]));
console.log((process.argv[2] ? groups[process.argv[2]] : Object.values(groups).flat()).join(" "))' "$exports/names.json" "${1:-}"
}
read -ra names <<<"$(names_of)"

step "Measuring: ${#names[@]} benchmarks, one after the other (about 17 minutes)"
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
