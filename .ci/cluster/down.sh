#!/usr/bin/env bash
# Stops the local cluster and puts the host back as up.sh found it: no process, mount, network
# namespace, cgroup, iptables rule, bridge, address or sysctl of the cluster is left. Safe to run
# at any time, also after a failed or half-finished up.sh. Keeps the certificates, the last
# run's logs and containerd's image store so the next start is warm; `down.sh --purge` removes the whole
# cluster directory. `down.sh second-node` takes only the second node out of the cluster, as an
# admin removes a machine: its Node object deleted, the first node and the control plane left running.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

purge=false only_node2=false
case ${1:-} in
  --purge) purge=true ;;
  second-node) only_node2=true ;;
  '') ;;
  *) die "usage: down.sh [--purge|second-node]" ;;
esac
((EUID == 0)) || die "needs root"
cluster_lock
[[ -d $CLUSTER_DIR ]] || exit 0
started_at=$SECONDS

# stop NAME... — SIGTERM to all at once (each takes a second or two to shut down), then SIGKILL
# for those still running after ten seconds.
stop() {
  local name pid pids=() i
  for name in "$@"; do
    if ! pid_alive "$name"; then rm -f "$RUN/$name.pid"; continue; fi
    pid=$(cat "$RUN/$name.pid") && rm -f "$RUN/$name.pid"
    log "stopping $name ($pid)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
}

crictl() { "$CRICTL_BIN/crictl" --runtime-endpoint "unix://$CONTAINERD_SOCK" --timeout 60s "$@"; }

# kill_all PID... — SIGKILL, then wait until every one has released what it held.
kill_all() {
  local pid
  for pid in "$@"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    while ! proc_gone "$pid"; do sleep 0.1; done
  done
}

# The second node: everything that ran in its namespaces ends with them.
stop_node2() {
  [[ -d $NODE2_DIR ]] || return 0
  (
    RUN=$NODE2_DIR/run
    stop kubelet
    if pid_alive containerd && [[ -x $CRICTL_BIN/crictl ]]; then
      # Through its CRI, so its CNI plugin releases the pods' addresses in its own network namespace.
      "$CRICTL_BIN/crictl" --runtime-endpoint "unix://$NODE2_SOCK" --timeout 60s rmp --all --force >/dev/null 2>&1 ||
        log "crictl rmp on $NODE2_NAME failed; sweeping what is left"
    fi
    stop kube-proxy containerd
  )
  # What is left in its mount namespace (containerd's shims, containers) was started by it.
  local ns pid left=()
  if findmnt -rn -M "$NODE2_MOUNT_NS" >/dev/null; then
    ns=mnt:[$(stat -L -c %i "$NODE2_MOUNT_NS")]
    for pid in /proc/[0-9]*; do
      [[ $(readlink "$pid/ns/mnt" 2>/dev/null) == "$ns" ]] && left+=("${pid#/proc/}")
    done
    ((${#left[@]} == 0)) || kill_all "${left[@]}"
    umount "$NODE2_MOUNT_NS"
  fi
  if findmnt -rn -M "$NODE2_DIR/ns" >/dev/null; then umount "$NODE2_DIR/ns"; fi
  for procs in /sys/fs/cgroup/*/"$NODE2_NAME"/cgroup.procs; do
    [[ -e $procs ]] || continue
    # shellcheck disable=SC2038 # what goes through xargs are PIDs, not file names
    find "$(dirname "$procs")" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  for root in /sys/fs/cgroup/*/"$NODE2_NAME"; do
    if [[ -d $root ]]; then find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
  done
  # Its veth, and the routes through it, go with its network namespace. The first node's pods keep
  # a route to its pod CIDR until their next start: the host answers it as unreachable rather than
  # forward it toward a default route.
  ip netns del "$NODE2_NETNS" 2>/dev/null || true
  if ip link show "$BRIDGE" >/dev/null 2>&1; then ip route replace unreachable "$NODE2_POD_CIDR"; fi
  if [[ -e $RUN/node2-made-dirs ]]; then
    while read -r dir; do rm -rf "$dir"; done <"$RUN/node2-made-dirs"
    rm -f "$RUN/node2-made-dirs"
  fi
  if $purge; then
    rm -rf "$NODE2_DIR"
  else
    find "$NODE2_DIR" -mindepth 1 -maxdepth 1 ! -name containerd ! -name logs -exec rm -rf {} +
    if [[ -d $NODE2_DIR/containerd ]]; then find "$NODE2_DIR/containerd" -mindepth 1 -maxdepth 1 ! -name root -exec rm -rf {} +; fi
  fi
}

if $only_node2; then
  stop_node2
  if pid_alive kube-apiserver; then
    "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" delete node "$NODE2_NAME" --ignore-not-found >/dev/null
  fi
  if [[ $(cat "$RUN/mode" 2>/dev/null) == two-node ]]; then echo full >"$RUN/mode"; fi
  log "$NODE2_NAME removed in $((SECONDS - started_at)) s"
  exit 0
fi

# The kubelets first, so they do not restart what is removed next.
stop_node2
stop kubelet
netns=()
if pid_alive containerd && [[ -x $CRICTL_BIN/crictl ]]; then
  for pod in $(crictl pods -q 2>/dev/null); do
    netns+=("$(crictl inspectp -o go-template \
      --template '{{range .info.runtimeSpec.linux.namespaces}}{{if eq .type "network"}}{{.path}}{{end}}{{end}}' "$pod" 2>/dev/null || true)")
  done
  # Through the CRI, as the kubelet would: each sandbox's network is torn down by the CNI plugin,
  # then its namespace and mounts are released.
  crictl rmp --all --force >/dev/null 2>&1 || log "crictl rmp failed; sweeping what is left"
fi

# Processes of the node that outlived their pods: containerd's shims and anything left in the
# kubelet's cgroups. All were started by this cluster.
for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $CONTAINERD_SOCK( |$)" || true); do kill -KILL "$pid" 2>/dev/null || true; done
for procs in /sys/fs/cgroup/*/kubepods/cgroup.procs; do
  [[ -e $procs ]] || continue
  # shellcheck disable=SC2038 # what goes through xargs are PIDs, not file names
  find "$(dirname "$procs")" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
done

# The apiserver waits for etcd while shutting down, and everything else for the apiserver.
stop kube-proxy containerd registry kube-controller-manager kube-scheduler
stop kube-apiserver
stop etcd

# iptables: kube-proxy removes its own chains; the kubelet's canary chains and anything a killed
# kube-proxy left behind go in the sweep. Every chain named KUBE-* belongs to this cluster.
if [[ -x $K8S_BIN/kube-proxy ]]; then "$K8S_BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
for ipt in iptables ip6tables; do
  command -v $ipt >/dev/null || continue
  for table in filter nat mangle raw; do
    $ipt -t $table -S 2>/dev/null | sed -n 's/^-A \(.*KUBE-.*\)/-D \1/p' | while read -r rule; do
      eval "$ipt -t $table $rule" 2>/dev/null || true
    done
    for chain in $($ipt -t $table -S 2>/dev/null | sed -n 's/^-N \(KUBE-[^ ]*\).*/\1/p'); do
      $ipt -t $table -F "$chain" 2>/dev/null || true
      $ipt -t $table -X "$chain" 2>/dev/null || true
    done
  done
done

# Mounts: volumes the kubelet mounted, containerd's rootfs and shm mounts, then the sandboxes'
# network namespaces. Deepest first so parents become free.
awk -v dir="$CLUSTER_DIR/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
  umount -l "$(printf '%b' "$m")" 2>/dev/null || true
done
for ns in "${netns[@]}"; do
  [[ -n $ns && -e $ns ]] || continue
  umount "$ns" 2>/dev/null || true
  rm -f "$ns"
done

# cgroups the kubelet and runc made, in every hierarchy.
for root in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
  if [[ -d $root ]]; then find "$root" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
done

saved() { cat "$RUN/saved.$1" 2>/dev/null; }
if [[ $(saved hugetlb-mounted) == 1 ]]; then
  umount "$HUGETLB_CGROUP" 2>/dev/null || true
  rmdir "$HUGETLB_CGROUP" 2>/dev/null || true
  if [[ $(saved hugetlb-subtree) == 1 ]]; then echo +hugetlb >/sys/fs/cgroup/unified/cgroup.subtree_control; fi
fi
for f in "$RUN"/saved.sysctl.*; do
  if [[ -e $f ]]; then sysctl -qw "${f##*/saved.sysctl.}=$(cat "$f")"; fi
done
if [[ $(saved var-log-containers) == 1 ]]; then rm -rf /var/log/containers; fi
if [[ $(saved run-containerd) == 1 ]]; then rm -rf /run/containerd; fi
if [[ $(saved run-netns) == 1 ]]; then rmdir /run/netns 2>/dev/null || true; fi
ip link del "$BRIDGE" 2>/dev/null || true
ip route del unreachable "$NODE2_POD_CIDR" 2>/dev/null || true
ip addr del "$HOST_IP/32" dev lo 2>/dev/null || true

if $purge; then
  rm -rf "$CLUSTER_DIR"
else
  find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name pki ! -name '*.kubeconfig' ! -name containerd ! -name logs ! -name registry ! -name node-2 -exec rm -rf {} +
  # Absent when only the control plane has ever run here.
  if [[ -d $CONTAINERD_DIR ]]; then find "$CONTAINERD_DIR" -mindepth 1 -maxdepth 1 ! -name root -exec rm -rf {} +; fi
fi
log "cluster down in $((SECONDS - started_at)) s"
