#!/usr/bin/env bash
# The local cluster as make demo and make bench-cluster use it, from a fresh machine: the operator
# and native programs built, the cluster up (full mode), the images IMAGE... built and imported, the
# CRDs and the operator (release "switchbench" of the Helm chart, watching namespace default)
# installed, the node labelled for benchmarks and default enabled for them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh
. .ci/demo/lib.sh
(($#)) || die "usage: setup.sh IMAGE... (directories of images/)"

step "Building the operator and the native programs"
make --no-print-directory build

step "Starting the local single-node cluster (full mode; a cold first build takes a while)"
bash .ci/cluster/up.sh full

step "Building and importing the images"
bash images/build.sh "$@"

step "Installing the CRDs and the operator with the Helm chart"
bash .ci/cluster/build-binaries.sh helm
# Helm installs a chart's CRDs only when they are missing and never upgrades them
# (charts/switchbench/README.md): the checkout's own go first, as the chart's upgrade steps say.
kc apply --server-side --force-conflicts -f crds/ >/dev/null
kc wait --for condition=established --timeout=60s crd/switchbenchmarks.switchbench.io crd/switchbenchmarkruns.switchbench.io >/dev/null
# Earlier checkouts installed the operator from a plain manifest, under the names the chart gives
# release "switchbench"; Helm adopts no object it did not create, so those go first (never the
# namespace, which holds the node locks).
if ! helm status switchbench -n switchbench-system >/dev/null 2>&1; then
  kc -n switchbench-system delete --ignore-not-found deployment/switchbench-operator serviceaccount/switchbench-operator \
    role/switchbench-operator-leader-election rolebinding/switchbench-operator-leader-election \
    role/switchbench-operator-node-locks rolebinding/switchbench-operator-node-locks >/dev/null
  kc delete --ignore-not-found clusterrole/switchbench-operator clusterrolebinding/switchbench-operator >/dev/null
fi
# One replica watching default: the test tiers share this cluster and run operators of their own in
# their own namespaces. Without the chart's admission policies, which bind cluster-wide: the
# integration tier creates namespaces without the enabling label on purpose, to see the operator's
# own refusal (test/e2e/helm.test.ts installs and checks the policies). The images were just
# imported, not pulled.
helm upgrade --install switchbench charts/switchbench -n switchbench-system --create-namespace \
  --set replicas=1 --set leaderElection.enabled=false --set watchNamespace=default \
  --set namespaceAdmissionPolicy.enabled=false \
  --set image.pullPolicy=Never --set cpuManagerPolicy=static --wait --timeout 180s
# The image tag stays "dev" across builds: a new build needs new pods.
kc -n switchbench-system rollout restart deployment/switchbench-operator >/dev/null
kc -n switchbench-system rollout status deployment/switchbench-operator --timeout=180s

node=$(kc get nodes -o jsonpath='{.items[0].metadata.name}')
step "Labelling node $node for benchmarks"
kc label node "$node" switchbench.io/node=true --overwrite
# The operator runs benchmarks only in namespaces an admin enabled (docs/security.md).
kc label namespace default switchbench.io/enabled=true --overwrite

