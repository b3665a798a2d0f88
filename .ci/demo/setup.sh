#!/usr/bin/env bash
# The local cluster as make demo and make bench-cluster use it, from a fresh machine: the operator
# and native programs built, the cluster up (full mode), the images IMAGE... built and pushed to the
# cluster's registry, the CRDs and the operator installed from it as a user installs them (release
# "switchbench" of the Helm chart, watching namespace default), the node labelled for benchmarks
# and default enabled for them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. .ci/cluster/lib.sh
. .ci/demo/lib.sh
(($#)) || die "usage: setup.sh IMAGE... (directories of images/)"

step "Building the operator and the native programs"
make --no-print-directory build

step "Starting the local single-node cluster (full mode; a cold first build takes a while)"
bash .ci/cluster/up.sh full

# A tag per content of the checkout (its files, committed or not): a new build is a new tag, which
# the node pulls, and an unchanged checkout reuses what the node has.
index=$(mktemp)
cp "$(git rev-parse --git-path index)" "$index"
GIT_INDEX_FILE=$index git add -A
tag=dev-$(GIT_INDEX_FILE=$index git write-tree | head -c 12)
rm -f "$index"
step "Building the images and pushing them to the cluster's registry $LOCAL_REGISTRY (tag $tag)"
REGISTRY=$LOCAL_REGISTRY TAG=$tag PUSH=1 bash images/build.sh "$@"

step "Installing the CRDs and the operator with the Helm chart, from the registry"
bash .ci/cluster/build-binaries.sh helm
# The release installs and upgrades the CRDs (crds.enabled), adopting those another tool applied.
adopt_crds switchbenchmarks.switchbench.io switchbenchmarkruns.switchbench.io
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
# own refusal (test/e2e/helm.test.ts installs and checks the policies).
helm upgrade --install switchbench charts/switchbench -n switchbench-system --create-namespace \
  --set imageRegistry="$LOCAL_REGISTRY" --set imageTag="$tag" \
  --set replicas=1 --set leaderElection.enabled=false --set watchNamespace=default \
  --set namespaceAdmissionPolicy.enabled=false --set cpuManagerPolicy=static --wait --timeout 180s
kc wait --for condition=established --timeout=60s crd/switchbenchmarks.switchbench.io crd/switchbenchmarkruns.switchbench.io >/dev/null

node=$(kc get nodes -o jsonpath='{.items[0].metadata.name}')
step "Labelling node $node for benchmarks"
kc label node "$node" switchbench.io/node=true --overwrite
# The operator runs benchmarks only in namespaces an admin enabled (docs/security.md).
kc label namespace default switchbench.io/enabled=true --overwrite

