#!/usr/bin/env bash
# Brings up a real single-node Kubernetes from the project's own binaries.
# Usage: up.sh [control-plane|full]   (default full; docs/local-cluster.md explains both)
# Idempotent: components already running are kept, so `up.sh full` on a running control plane
# only adds the node, and a second `up.sh` returns once everything answers.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode=${1:-full}
[[ $mode == control-plane || $mode == full ]] || die "usage: up.sh [control-plane|full]"
((EUID == 0)) || die "needs root: it mounts cgroups, creates a bridge and runs the kubelet"
cluster_lock
started_at=$SECONDS

if [[ $mode == full ]]; then
  ensure_packages openssl curl iproute2 procps containerd runc containernetworking-plugins iptables conntrack \
    buildah debootstrap gcc libc6-dev
  bash "$CLUSTER_SCRIPTS/build-binaries.sh" etcd kubernetes cri-tools distribution
else
  ensure_packages openssl curl iproute2
  bash "$CLUSTER_SCRIPTS/build-binaries.sh" etcd kubernetes
fi

mkdir -p "$PKI" "$LOGS" "$RUN" "$CLUSTER_DIR/bin"

# --- certificates and kubeconfigs -------------------------------------------------------------

# sign NAME SUBJECT EXT — a P-256 key and a certificate for it, signed by the cluster CA.
sign() {
  local name=$1 subject=$2 ext=$3
  [[ -s $PKI/$name.crt ]] && return 0
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subject" \
    -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 3650 -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\n' "$ext") \
    -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}

# kubeconfig FILE CERT — a kubeconfig that authenticates with the client certificate CERT.
kubeconfig() {
  [[ -s $1 ]] && return 0
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: switchbench
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$2.crt")
    client-key-data: $(base64 -w0 "$PKI/$2.key")
contexts:
- name: switchbench
  context: {cluster: switchbench, user: $2}
current-context: switchbench
EOF
}

if [[ ! -s $PKI/ca.crt ]]; then
  log "generating the cluster CA and certificates in $PKI"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj /CN=switchbench-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  openssl ecparam -genkey -name prime256v1 -noout -out "$PKI/sa.key"
  openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
fi
client=extendedKeyUsage=clientAuth
sign kube-apiserver /CN=kube-apiserver "extendedKeyUsage=serverAuth
subjectAltName=IP:$HOST_IP,IP:127.0.0.1,IP:${SERVICE_CIDR%.0/*}.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
sign apiserver-kubelet-client /O=system:masters/CN=kube-apiserver-kubelet-client $client
sign admin /O=system:masters/CN=switchbench-admin $client
sign controller-manager /CN=system:kube-controller-manager $client
sign scheduler /CN=system:kube-scheduler $client
sign kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" $client
sign kubelet-serving "/CN=$NODE_NAME" "extendedKeyUsage=serverAuth
subjectAltName=IP:$HOST_IP,DNS:$NODE_NAME"
sign kube-proxy /CN=system:kube-proxy $client
kubeconfig "$KUBECONFIG_PATH" admin
for c in controller-manager scheduler kubelet kube-proxy; do kubeconfig "$CLUSTER_DIR/$c.kubeconfig" $c; done

# --- process supervision -----------------------------------------------------------------------

# start NAME COMMAND... — runs a component detached from this shell (its own session, output to
# its log) so the caller's pipes close when up.sh exits; its PID goes to $RUN/NAME.pid.
start() {
  local name=$1; shift
  pid_alive "$name" && return 0
  # A process of the component killed a moment ago holds its ports until it has exited.
  wait_gone "$name"
  log "starting $name"
  # A component inherits none of the caller's descriptors: a lock among them (the cluster lock, or
  # a flock a user wrapped make in) would stay held for as long as the component runs.
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      ((fd > 2)) && eval "exec $fd>&-"
    done 2>/dev/null
    exec setsid "$@" </dev/null >"$LOGS/$name.log" 2>&1
  ) &
  echo $! >"$RUN/$name.pid"
}

# wait_until NAME COMMAND... — until COMMAND succeeds; fails with the tail of NAME's log when the
# process dies or after a generous limit (a cold apiserver on a busy 2-vCPU machine is slow).
wait_until() {
  local name=$1 deadline=$((SECONDS + ${WAIT_LIMIT:-300})); shift
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$name" || ((SECONDS > deadline)); then
      log "$name did not come up; last lines of $LOGS/$name.log:"
      tail -n 40 "$LOGS/$name.log" >&2
      die "$name failed to start"
    fi
    sleep 0.5
  done
}

kubectl() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_PATH" "$@"; }
curl_api() { curl -sf --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$@"; }

# write_config FILE — stdin to FILE, leaving FILE untouched when the content is the same:
# kube-proxy exits when its config file changes, containerd reloads on CNI config changes.
write_config() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1" && CONFIG_CHANGED=true; fi
}

# --- control plane -----------------------------------------------------------------------------

# The apiserver, kubelet and kube-proxy bind the node address, which lives on loopback.
[[ $(ip -4 addr show dev lo) == *" $HOST_IP/"* ]] || ip addr add "$HOST_IP/32" dev lo

start etcd "$ETCD_BIN/etcd" --name switchbench --data-dir "$CLUSTER_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "switchbench=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" \
  --unsafe-no-fsync
# --unsafe-no-fsync: a throwaway test cluster, and fsync on a shared VM disk makes every write slow.
wait_until etcd curl -sf "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

start kube-apiserver "$K8S_BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address "$HOST_IP" --advertise-address "$HOST_IP" --secure-port 6443 \
  --tls-cert-file "$PKI/kube-apiserver.crt" --tls-private-key-file "$PKI/kube-apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --allow-privileged \
  --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP
wait_until kube-apiserver curl_api "$APISERVER_URL/readyz"

start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_DIR/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key"
start kube-scheduler "$K8S_BIN/kube-scheduler" \
  --kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
  --authentication-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
  --authorization-kubeconfig "$CLUSTER_DIR/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false
wait_until kube-controller-manager curl -skf https://127.0.0.1:10257/healthz
wait_until kube-scheduler curl -skf https://127.0.0.1:10259/healthz
# Pods can be created once the controller-manager has given the namespace its ServiceAccount.
wait_until kube-controller-manager kubectl get serviceaccount default

ln -sf "$K8S_BIN/kubectl" "$CLUSTER_DIR/bin/kubectl"
if [[ -x $HELM_BIN/helm ]]; then ln -sf "$HELM_BIN/helm" "$CLUSTER_DIR/bin/helm"; fi

# --- node --------------------------------------------------------------------------------------

# record NAME VALUE — remembers a piece of host state once, before the first change, so down.sh
# can put it back.
record() { [[ -e $RUN/saved.$1 ]] || printf '%s\n' "$2" >"$RUN/saved.$1"; }

prepare_host() {
  # The pool is shared with other work on this machine: only ever raise it.
  local want=${SWITCHBENCH_HUGEPAGES:-1024} nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
  if (($(cat $nr) < want)); then
    log "raising the 2 MiB hugepage pool to $want pages"
    echo "$want" >$nr
    (($(cat $nr) >= want)) || die "the kernel gave only $(cat $nr) of $want hugepages"
  fi

  # This kernel offers hugetlb only to the cgroup2 tree while the kubelet and runc use cgroup v1:
  # there the limits would be dropped silently. Taking the controller out of the cgroup2 tree
  # lets it be mounted as a v1 hierarchy where both enforce them.
  if ! mountpoint -q "$HUGETLB_CGROUP"; then
    record hugetlb-mounted 1
    if grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control; then
      record hugetlb-subtree 1
      echo -hugetlb >/sys/fs/cgroup/unified/cgroup.subtree_control
    fi
    mkdir -p "$HUGETLB_CGROUP"
    mount -t cgroup -o hugetlb cgroup "$HUGETLB_CGROUP"
  fi

  # The kubelet sets these on start (protectKernelDefaults would make it fail instead).
  local s
  for s in vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes; do
    record "sysctl.$s" "$(sysctl -n "$s")"
  done
  # Paths the kubelet and containerd's shims use whatever they are configured with.
  [[ -d /var/log/containers ]] || record var-log-containers 1
  [[ -d /run/containerd ]] || record run-containerd 1
  [[ -d /run/netns ]] || record run-netns 1

  # The bridge is made here, with its address, so the CNI plugin need not be a gateway: it would
  # turn on IP forwarding for the whole host. Pods get routes to the node and Services only.
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$POD_GATEWAY/${POD_CIDR#*/}" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  mkdir -p "$CNI_CONF_DIR" "$CNI_BIN_DIR"
  # A binary directory of the cluster's own, holding Debian's plugins, where a Multus DaemonSet may
  # install its binary without writing into /usr/lib/cni.
  local plugin
  for plugin in /usr/lib/cni/*; do ln -sfn "$plugin" "$CNI_BIN_DIR/${plugin##*/}"; done
  # Multus writes its configuration in front of the node's network and points it at a service
  # account token: from an earlier cluster it would send every pod through a Multus that may no
  # longer be installed. A Multus DaemonSet still in the cluster writes it again when its pod starts.
  rm -rf "$CNI_CONF_DIR"/00-multus.conf* "$CNI_CONF_DIR/multus.d"
  write_config "$CNI_CONF_DIR/10-switchbench.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "switchbench",
  "plugins": [{
    "type": "bridge",
    "bridge": "$BRIDGE",
    "isGateway": false,
    "ipMasq": false,
    "hairpinMode": true,
    "ipam": {
      "type": "host-local",
      "dataDir": "$CLUSTER_DIR/cni/ipam",
      "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY"}]],
      "routes": [{"dst": "$SERVICE_CIDR", "gw": "$POD_GATEWAY"}, {"dst": "$HOST_IP/32", "gw": "$POD_GATEWAY"}]
    }
  }]
}
EOF
}

start_containerd() {
  local pause_image=$1 CONFIG_CHANGED=false
  mkdir -p "$CONTAINERD_DIR"
  # restrict_oom_score_adj: the VM's bounding set lacks CAP_SYS_RESOURCE, so lowering a
  # container's oom_score_adj fails. disable_hugetlb_controller=false: set hugetlb limits.
  write_config "$CONTAINERD_DIR/config.toml" <<EOF
version = 2
root = "$CONTAINERD_DIR/root"
state = "$CONTAINERD_DIR/state"
plugin_dir = ""
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  address = "$CONTAINERD_DIR/debug.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CONTAINERD_DIR/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$pause_image"
  restrict_oom_score_adj = true
  disable_hugetlb_controller = false
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$CONTAINERD_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$CONTAINERD_DIR/certs.d"
EOF
  # The local registry speaks plain HTTP on loopback: containerd is told so, as a node is told of a
  # registry mirror (containerd's docs/hosts.md).
  mkdir -p "$CONTAINERD_DIR/certs.d/$LOCAL_REGISTRY"
  write_config "$CONTAINERD_DIR/certs.d/$LOCAL_REGISTRY/hosts.toml" <<EOF
server = "http://$LOCAL_REGISTRY"
[host."http://$LOCAL_REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
  # containerd reads its configuration once: a running one from an earlier checkout restarts to take
  # the new one (its containers' shims run on without it).
  if $CONFIG_CHANGED && pid_alive containerd; then
    log "containerd's configuration changed: restarting it"
    kill -TERM "$(cat "$RUN/containerd.pid")"
    local deadline=$((SECONDS + 30))
    while pid_alive containerd; do
      ((SECONDS < deadline)) || die "containerd did not stop within 30 s of SIGTERM"
      sleep 0.1
    done
    wait_gone containerd
  fi
  start containerd containerd --config "$CONTAINERD_DIR/config.toml"
  wait_until containerd ctr --address "$CONTAINERD_SOCK" version
}

start_kubelet() {
  mkdir -p "$KUBELET_DIR"
  write_config "$CLUSTER_DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $HOST_IP
readOnlyPort: 0
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
# CPU 0 is the shared pool for the system and Burstable pods; integer-CPU Guaranteed
# containers get the others exclusively, as switchbench's exclusive cpuPolicy expects.
cpuManagerPolicy: static
reservedSystemCPUs: "0"
topologyManagerPolicy: single-numa-node
topologyManagerScope: container
# The VM's bounding set lacks CAP_SYS_RESOURCE: the kubelet may not lower its own score.
oomScoreAdj: 0
# A small dev disk and images that cannot be pulled again: never evict or GC them.
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
clusterDomain: cluster.local
podLogsDir: $CLUSTER_DIR/pod-logs
volumePluginDir: $KUBELET_DIR/volume-plugins
EOF
  start kubelet "$K8S_BIN/kubelet" --config "$CLUSTER_DIR/kubelet.yaml" \
    --kubeconfig "$CLUSTER_DIR/kubelet.kubeconfig" --root-dir "$KUBELET_DIR" --cert-dir "$PKI" \
    --node-ip "$HOST_IP" --hostname-override "$NODE_NAME" --node-labels switchbench.io/node=true,switchbench.io/cpu-manager-policy=static
  wait_until kubelet node_ready
}

node_ready() {
  [[ $(kubectl get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

start_registry() {
  mkdir -p "$REGISTRY_DIR"
  write_config "$CLUSTER_DIR/registry.yaml" <<EOF
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $REGISTRY_DIR/storage}
  delete: {enabled: true}
http:
  addr: $LOCAL_REGISTRY
EOF
  start registry "$REGISTRY_BIN/registry" serve "$CLUSTER_DIR/registry.yaml"
  wait_until registry curl -sf "http://$LOCAL_REGISTRY/v2/"
}

start_kube_proxy() {
  write_config "$CLUSTER_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $CLUSTER_DIR/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $NODE_NAME
bindAddress: $HOST_IP
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts on the node address only, never on the machine's real interfaces.
nodePortAddresses: ["$HOST_IP/32"]
# Leave the host's conntrack sysctls and route_localnet alone: the machine is shared.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false}
EOF
  start kube-proxy "$K8S_BIN/kube-proxy" --config "$CLUSTER_DIR/kube-proxy.yaml"
  wait_until kube-proxy curl -sf http://127.0.0.1:10256/healthz
}

if [[ $mode == full ]]; then
  prepare_host
  read -r pause_image pause_archive < <(bash "$REPO_ROOT/images/pause/build.sh")
  base_archive=$(bash "$REPO_ROOT/images/base/build.sh")
  start_registry
  start_containerd "$pause_image"
  import_image "$pause_archive"
  import_image "$base_archive"
  start_kubelet
  start_kube_proxy
  ln -sf "$CRICTL_BIN/crictl" "$CLUSTER_DIR/bin/crictl"
fi

pid_alive kubelet && echo full >"$RUN/mode" || echo control-plane >"$RUN/mode"
cat >"$CLUSTER_DIR/env" <<EOF
export KUBECONFIG=$KUBECONFIG_PATH
export CONTAINER_RUNTIME_ENDPOINT=unix://$CONTAINERD_SOCK
export PATH=$CLUSTER_DIR/bin:\$PATH
# The chart's multus.cniConfDir and multus.cniBinDir values for this node.
export SWITCHBENCH_CNI_CONF_DIR=$CNI_CONF_DIR SWITCHBENCH_CNI_BIN_DIR=$CNI_BIN_DIR
EOF
log "cluster up ($(cat "$RUN/mode")) in $((SECONDS - started_at)) s; for kubectl, crictl and helm: . $CLUSTER_DIR/env"
echo "KUBECONFIG=$KUBECONFIG_PATH"
