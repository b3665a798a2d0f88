#!/usr/bin/env bash
# The local cluster as make demo and make bench-cluster use it, from a fresh machine: the operator
# and native programs built, the cluster up (full mode), the images IMAGE... built and imported, the
# CRDs and the operator (watching namespace default) installed, the node labelled for benchmarks and
# default enabled for them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh
(($#)) || die "usage: setup.sh IMAGE... (directories of images/)"

step() { printf '\n==> %s\n' "$*"; }
kc() { "$K8S_BIN/kubectl" --kubeconfig "$CLUSTER_DIR/admin.kubeconfig" "$@"; }

step "Building the operator and the native programs"
make --no-print-directory build

step "Starting the local single-node cluster (full mode; a cold first build takes a while)"
bash .ci/cluster/up.sh full

step "Building and importing the images"
bash images/build.sh "$@"

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

