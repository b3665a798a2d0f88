#!/usr/bin/env bash
# `make demo`: on a fresh machine, brings up the local cluster, builds and imports the images,
# installs the CRDs and the operator, labels the node (.ci/demo/setup.sh), runs the testpmd example
# with short trials and prints its results.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh

step() { printf '\n==> %s\n' "$*"; }
kc() { "$K8S_BIN/kubectl" --kubeconfig "$CLUSTER_DIR/admin.kubeconfig" "$@"; }

bash .ci/demo/setup.sh operator traffic testpmd

step "Running the testpmd example (short trials, shared CPUs)"
kc delete switchbenchmark demo-testpmd --ignore-not-found --cascade=foreground --wait=true >/dev/null
node .ci/demo/benchmark.mjs | kc apply -f -
run=demo-testpmd-1
deadline=$((SECONDS + 900))
until [[ $(kc get sbmrun "$run" -o jsonpath='{.status.phase}' 2>/dev/null) =~ ^(Succeeded|Failed)$ ]]; do
  ((SECONDS < deadline)) || die "the run did not finish in 15 minutes: kc -n switchbench-system logs deploy/switchbench-operator"
  printf '\r%s' "$(kc get sbmrun "$run" --no-headers 2>/dev/null | tr -s ' ')"
  sleep 2
done
printf '\n'

step "Results"
kc get switchbench
echo
KUBECONFIG=$CLUSTER_DIR/admin.kubeconfig node dist/bundle/kubectl-switchbench.mjs results "$run"
[[ $(kc get sbmrun "$run" -o jsonpath='{.status.phase}') == Succeeded ]]
