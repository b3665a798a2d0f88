#!/usr/bin/env bash
# `make demo`: on a fresh machine, brings up the local cluster, builds and imports the images,
# installs the CRDs and the operator, labels the node, runs the testpmd example with short trials
# and prints its results.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh

step() { printf '\n==> %s\n' "$*"; }
kc() { "$K8S_BIN/kubectl" --kubeconfig "$CLUSTER_DIR/admin.kubeconfig" "$@"; }

step "Building the operator and the native programs"
make --no-print-directory build

step "Starting the local single-node cluster (full mode; a cold first build takes a while)"
bash .ci/cluster/up.sh full

step "Building and importing the images"
bash images/build.sh operator traffic testpmd

step "Installing the CRDs and the operator"
kc apply --server-side --force-conflicts -f crds/ >/dev/null
kc wait --for condition=established --timeout=60s crd/switchbenchmarks.switchbench.io crd/switchbenchmarkruns.switchbench.io >/dev/null
kc apply -f .ci/demo/operator.yaml
kc -n switchbench-system rollout restart deployment/switchbench-operator >/dev/null
kc -n switchbench-system rollout status deployment/switchbench-operator --timeout=180s

node=$(kc get nodes -o jsonpath='{.items[0].metadata.name}')
step "Labelling node $node for benchmarks"
kc label node "$node" switchbench.io/node=true --overwrite
# The operator runs benchmarks only in namespaces an admin enabled (docs/security.md).
kc label namespace default switchbench.io/enabled=true --overwrite

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
