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
REGISTRY_BIN=$SWITCHBENCH_CACHE/bin/distribution-$DISTRIBUTION_VERSION
KWOK_BIN=$SWITCHBENCH_CACHE/bin/kwok-$KWOK_VERSION

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

# The second node of `up.sh two-node`: a kubelet, containerd and kube-proxy of its own in a
# network namespace (its node address on a veth to the host, its pod network routed through it)
# and a mount namespace where its own directories cover the node paths, as a second machine's disk
# would (docs/local-cluster.md, "Two nodes").
NODE2_NAME=${NODE_NAME}-2
NODE2_NETNS=sbnode2
NODE2_VETH=sbnode2
NODE2_LINK_IP=10.217.254.1
NODE2_IP=10.217.254.2
NODE2_POD_CIDR=10.217.1.0/24
NODE2_POD_GATEWAY=10.217.1.1
NODE2_DIR=$CLUSTER_DIR/node-2
# A bind mount of the node's mount namespace: it outlives the command that made it.
NODE2_MOUNT_NS=$NODE2_DIR/ns/mnt
# Its containerd's socket, as the host sees it.
NODE2_SOCK=$NODE2_DIR/containerd/containerd.sock
# Paths each node has to itself: the kubelet's fixed device-plugin directory, the run directories
# of benchmark pods, container log links, and the node's state under the cluster directory.
NODE_PRIVATE_PATHS=(containerd kubelet cni pod-logs run logs /var/lib/kubelet /var/run/switchbench /var/log/containers)

# on_node2 COMMAND... — COMMAND in the second node's namespaces: what runs there sees its addresses,
# its bridge and its own directories at the node paths.
on_node2() { nsenter --mount="$NODE2_MOUNT_NS" --net="/run/netns/$NODE2_NETNS" -- "$@"; }

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
# The registry of a full cluster, on loopback only: images/build.sh pushes there (make images
# REGISTRY=$LOCAL_REGISTRY PUSH=1) and the node's containerd pulls over plain HTTP.
LOCAL_REGISTRY=127.0.0.1:5000
REGISTRY_DIR=$CLUSTER_DIR/registry

# proc_stat PID — reads /proc/PID/stat into STAT_COMM (the name, at most 15 bytes), STAT_STATE
# (R, S, D, Z, X...) and STAT_FLAGS (the kernel's PF_* bits); false when there is no such process.
proc_stat() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $stat ]] || return 1
  # The name may hold spaces and parentheses: it ends at the last ')'.
  STAT_COMM=${stat#*(} && STAT_COMM=${STAT_COMM%)*}
  # After the name: state ppid pgrp session tty_nr tpgid flags ...
  read -r STAT_STATE _ _ _ _ _ STAT_FLAGS _ <<<"${stat##*) }"
}

# proc_running PID — true while PID runs: false when it is gone, a zombie (Z), dead (X), exiting, or
# sent a SIGKILL it has not acted on yet. A SIGKILLed process stays in /proc until it has exited (a
# second or two for a large Go program, longer on a busy machine), its /proc entries readable at
# first, and holds its ports and files until then: it must not count as running.
proc_running() {
  local STAT_COMM STAT_STATE STAT_FLAGS key value
  proc_stat "$1" || return 1
  [[ $STAT_STATE != [ZXx] ]] || return 1
  # 0x4 is PF_EXITING: set as soon as the process starts to exit, before its memory and files go.
  ((!(STAT_FLAGS & 0x4))) || return 1
  # SIGKILL (bit 0x100) pending, for the process or its main thread: it was killed, and has not run
  # since (kill returns before the target is scheduled).
  while read -r key value; do
    case $key in SigPnd: | ShdPnd:) ((!(0x$value & 0x100))) || return 1 ;; esac
  done 2>/dev/null <"/proc/$1/status"
}

# proc_gone PID — true once PID has released everything it held: no such process, or nothing left
# of it but a zombie (every thread exited; its parent has not reaped it yet).
proc_gone() {
  local task STAT_COMM STAT_STATE STAT_FLAGS
  # Every thread: the first to exit may be a zombie while the others still hold the files.
  for task in "/proc/$1/task/"*; do
    proc_stat "$1/task/${task##*/}" || continue
    [[ $STAT_STATE == [ZXx] ]] || return 1
  done
}

# pid_alive NAME — true when the component's recorded process still runs (and is that component,
# not a process that got its PID after a crash). A process that is exiting or a zombie is dead.
pid_alive() {
  local pid exe
  pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 1
  proc_running "$pid" || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ ${exe##*/} == "$1" ]]
}

# wait_gone NAME [SECONDS] — when the component's recorded process is dead but not gone (killed a
# moment ago and still exiting), waits until it is gone (default at most 60 s): until then it holds
# its ports, sockets and files, and a new process of the component would fail to start.
wait_gone() {
  local pid deadline=$((SECONDS + ${2:-60})) STAT_COMM STAT_STATE STAT_FLAGS
  pid=$(cat "$RUN/$1.pid" 2>/dev/null) || return 0
  # Nothing to wait for: no such process, or one that runs (so not the dying component: its PID
  # was reused), or one of another name.
  proc_stat "$pid" || return 0
  proc_running "$pid" && return 0
  [[ $STAT_COMM == "${1:0:15}" ]] || return 0
  proc_gone "$pid" && return 0
  log "waiting for the previous $1 ($pid) to finish exiting"
  until proc_gone "$pid"; do
    ((SECONDS < deadline)) || die "$1 ($pid) is still exiting after ${2:-60} s"
    sleep 0.1
  done
}

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# import_image ARCHIVE — hands an OCI archive to the node's containerd, where the kubelet looks;
# to the second node's too while it runs.
import_image() {
  ctr_k8s images import --all-platforms "$1" >/dev/null
  if [[ -z ${SWITCHBENCH_ON_NODE2:-} ]] && RUN=$NODE2_DIR/run pid_alive containerd; then
    ctr --address "$NODE2_SOCK" --namespace k8s.io images import --all-platforms "$1" >/dev/null
  fi
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
  [[ $mode == control-plane ]] || components+=(registry containerd kubelet kube-proxy)
  for c in "${components[@]}"; do pid_alive "$c" || return 0; done
  if [[ $mode == two-node ]]; then
    for c in containerd kubelet kube-proxy; do RUN=$NODE2_DIR/run pid_alive "$c" || return 0; done
  fi
  echo "$mode"
}

# mode_offers RUNNING WANTED — whether a cluster in mode RUNNING serves a user that asked for WANTED:
# full offers the control plane, and two nodes offer one (the second joins without the label that
# lets a node run benchmarks, so single-node benchmarks still find exactly one).
mode_offers() {
  case $1 in
    two-node) true ;;
    full) [[ $2 != two-node ]] ;;
    *) [[ $1 == "$2" ]] ;;
  esac
}
