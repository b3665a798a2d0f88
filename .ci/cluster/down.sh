#!/usr/bin/env bash
# Stops the local cluster and puts the host back as up.sh found it: no process, mount, network
# namespace, cgroup, iptables rule, bridge, address or sysctl of the cluster is left. Safe to run
# at any time, also after a failed or half-finished up.sh. Keeps the certificates, the last
# run's logs and containerd's image store so the next start is warm; `down.sh --purge` removes the whole
# cluster directory.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

purge=false
[[ ${1:-} == --purge ]] && purge=true
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

# The kubelet first, so it does not restart what is removed next.
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
ip addr del "$HOST_IP/32" dev lo 2>/dev/null || true

if $purge; then
  rm -rf "$CLUSTER_DIR"
else
  find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name pki ! -name '*.kubeconfig' ! -name containerd ! -name logs ! -name registry -exec rm -rf {} +
  # Absent when only the control plane has ever run here.
  if [[ -d $CONTAINERD_DIR ]]; then find "$CONTAINERD_DIR" -mindepth 1 -maxdepth 1 ! -name root -exec rm -rf {} +; fi
fi
log "cluster down in $((SECONDS - started_at)) s"
