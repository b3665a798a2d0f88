# Shared by up.sh, down.sh, build-binaries.sh and images/build.sh: paths, logging, package installs.
# shellcheck shell=bash

CLUSTER_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CLUSTER_SCRIPTS/../.." && pwd)
# shellcheck source=versions.env
. "$CLUSTER_SCRIPTS/versions.env"

SWITCHBENCH_CACHE=${SWITCHBENCH_CACHE:-$HOME/.cache/switchbench}
# Short on purpose: vhost-user socket paths below it must stay under the 108-byte sun_path limit.
CLUSTER_DIR=${SWITCHBENCH_CLUSTER_DIR:-/var/lib/switchbench}
KUBECONFIG_PATH=$CLUSTER_DIR/admin.kubeconfig
NODE_NAME=${SWITCHBENCH_NODE_NAME:-switchbench-node}

K8S_BIN=$SWITCHBENCH_CACHE/bin/kubernetes-$KUBERNETES_VERSION
ETCD_BIN=$SWITCHBENCH_CACHE/bin/etcd-$ETCD_VERSION
HELM_BIN=$SWITCHBENCH_CACHE/bin/helm-$HELM_VERSION
CRICTL_BIN=$SWITCHBENCH_CACHE/bin/cri-tools-$CRI_TOOLS_VERSION

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Installs the Debian packages that are missing; a fresh machine has none of them.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == 'install ok installed' ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing Debian packages: ${missing[*]}"
  # The package lists of a fresh machine are empty or stale.
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# The node's own address: on the loopback interface, so nothing listens on a real network, yet
# pods reach it (and the apiserver behind the `kubernetes` Service) through the bridge.
HOST_IP=10.217.255.1
POD_CIDR=10.217.0.0/24
POD_GATEWAY=10.217.0.1
SERVICE_CIDR=10.217.64.0/24
BRIDGE=sbbr0
APISERVER_URL=https://$HOST_IP:6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380

PKI=$CLUSTER_DIR/pki
LOGS=$CLUSTER_DIR/logs
RUN=$CLUSTER_DIR/run
CONTAINERD_DIR=$CLUSTER_DIR/containerd
CONTAINERD_SOCK=$CONTAINERD_DIR/containerd.sock
KUBELET_DIR=$CLUSTER_DIR/kubelet
# The node's CNI directories: what a chart's cniConfDir, cniBinDir and kubeletDir values are here.
CNI_CONF_DIR=$CLUSTER_DIR/cni/net.d
CNI_BIN_DIR=$CLUSTER_DIR/cni/bin
HUGETLB_CGROUP=/sys/fs/cgroup/hugetlb

# pid_alive NAME — true when the component's recorded process still runs (and is that component,
# not a process that got its PID after a crash).
pid_alive() {
  local pid exe
  pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ ${exe##*/} == "$1" ]]
}

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# import_image ARCHIVE — hands an OCI archive to the node's containerd, where the kubelet looks.
import_image() {
  ctr_k8s images import --all-platforms "$1" >/dev/null
}

# Serialises up.sh, down.sh and session.sh across processes: two engineers' test runs share the
# one cluster of a machine. Taken once per process tree (children inherit it through the env).
cluster_lock() {
  [[ -n ${SWITCHBENCH_CLUSTER_LOCKED:-} ]] && return 0
  mkdir -p "$(dirname "$CLUSTER_DIR")"
  local fd
  exec {fd}>"$CLUSTER_DIR.lock"
  flock "$fd"
  # The descriptor's number, so that up.sh can keep it from the components it starts: they
  # would hold the lock for as long as they run.
  export SWITCHBENCH_CLUSTER_LOCKED=$fd
}

# running_mode — prints the mode of the running cluster; nothing when none runs (or one is half up).
running_mode() {
  local mode c components=(etcd kube-apiserver kube-controller-manager kube-scheduler)
  mode=$(cat "$RUN/mode" 2>/dev/null) || return 0
  [[ $mode == full ]] && components+=(containerd kubelet kube-proxy)
  for c in "${components[@]}"; do pid_alive "$c" || return 0; done
  echo "$mode"
}
