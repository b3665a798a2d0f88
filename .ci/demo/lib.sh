# Sourced by setup.sh, demo.sh and test/paper/paper.sh, after .ci/cluster/lib.sh: the user's view of
# the local cluster (kubectl, helm and the plugin as built) and the runs' progress.

step() { printf '\n==> %s\n' "$*"; }
kc() { "$K8S_BIN/kubectl" --kubeconfig "$CLUSTER_DIR/admin.kubeconfig" "$@"; }
helm() { "$HELM_BIN/helm" --kubeconfig "$CLUSTER_DIR/admin.kubeconfig" "$@"; }
plugin() { KUBECONFIG=$CLUSTER_DIR/admin.kubeconfig node dist/bundle/kubectl-switchbench.mjs "$@"; }

# adopt_crds CRD...: CRDs that another tool applied (the test tiers, an earlier checkout) given to
# release "switchbench", as Helm requires before it takes over an object it did not create.
adopt_crds() {
  local crd
  for crd in "$@"; do
    kc get crd "$crd" >/dev/null 2>&1 || continue
    kc label crd "$crd" app.kubernetes.io/managed-by=Helm --overwrite >/dev/null
    kc annotate crd "$crd" meta.helm.sh/release-name=switchbench meta.helm.sh/release-namespace=switchbench-system \
      --overwrite >/dev/null
  done
}

# multus_release true|false: Multus installed by the release, or removed. The kernel path needs it;
# it is node-wide, so make paper and make bench-cluster install it for their runs only, and the test
# tiers sharing this cluster find the node as they expect it. Without a CPU request: this node has
# one CPU allocatable, which the isolated-dut placement gives whole to the device under test, and a
# Multus asking for 10m of it left every such run unschedulable ("Insufficient cpu").
multus_release() {
  adopt_crds network-attachment-definitions.k8s.cni.cncf.io
  helm upgrade switchbench charts/switchbench -n switchbench-system --reuse-values --set "multus.install=$1" \
    --set "multus.cniConfDir=$CNI_CONF_DIR" --set "multus.cniBinDir=$CNI_BIN_DIR" \
    --set-string multus.resources.requests.cpu=0 --wait --timeout 180s >/dev/null
}

# wait_for_runs MINUTES RUN...: follows each run in turn (they take the node one at a time, one lock
# per node) until it has finished, printing its kubectl line; fails after MINUTES in all.
wait_for_runs() {
  local deadline=$((SECONDS + $1 * 60)) run
  shift
  for run in "$@"; do
    until [[ $(kc get sbmrun "$run" -o jsonpath='{.status.phase}' 2>/dev/null) =~ ^(Succeeded|Failed)$ ]]; do
      ((SECONDS < deadline)) || die "the runs did not finish in time: kc -n switchbench-system logs deploy/switchbench-operator"
      printf '\r%s' "$(kc get sbmrun "$run" --no-headers 2>/dev/null | tr -s ' ')"
      sleep 2
    done
    printf '\r%s\n' "$(kc get sbmrun "$run" --no-headers | tr -s ' ')"
  done
}

# require_succeeded RUN...: fails naming the first run that did not succeed.
require_succeeded() {
  local run
  for run in "$@"; do
    [[ $(kc get sbmrun "$run" -o jsonpath='{.status.phase}') == Succeeded ]] ||
      die "run $run did not succeed: kubectl switchbench results $run"
  done
}
