#!/usr/bin/env bash
# Brings up a real Kubernetes from the project's own binaries.
# Usage: up.sh [control-plane|full|two-node]   (default full; docs/local-cluster.md explains them)
# Idempotent: components already running are kept, so `up.sh full` on a running control plane
# only adds the node, `up.sh two-node` on a full cluster only adds the second node, and a second
# `up.sh` returns once everything answers. `up.sh second-node` is its own step inside the second
# node's namespaces.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode=${1:-full}
[[ $mode =~ ^(control-plane|full|two-node|second-node)$ ]] || die "usage: up.sh [control-plane|full|two-node]"
((EUID == 0)) || die "needs root: it mounts cgroups, creates a bridge and runs the kubelet"
cluster_lock
started_at=$SECONDS

# The node being brought up: its name, address, pod network, the routes its pods get to the other
# node's pods, where its configuration goes, and the name of its kubelet's certificates.
NODE_IP=$HOST_IP NODE_CONF=$CLUSTER_DIR NODE_CERT=kubelet PEER_POD_CIDRS=()
NODE_LABELS=switchbench.io/node=true,switchbench.io/cpu-manager-policy=static
[[ $mode != two-node ]] || PEER_POD_CIDRS=("$NODE2_POD_CIDR")
if [[ $mode == second-node ]]; then
  NODE_NAME=$NODE2_NAME NODE_IP=$NODE2_IP NODE_CONF=$NODE2_DIR NODE_CERT=kubelet-2
  POD_CIDR=$NODE2_POD_CIDR POD_GATEWAY=$NODE2_POD_GATEWAY PEER_POD_CIDRS=("${POD_CIDR_OF_NODE1:?}")
  # It joins without the label that lets a node run benchmarks: an admin (or a test) adds it, so
  # a benchmark that selects one node still finds exactly one.
  NODE_LABELS=switchbench.io/cpu-manager-policy=static
fi

if [[ $mode == full || $mode == two-node ]]; then
  ensure_packages openssl curl iproute2 procps containerd runc containernetworking-plugins iptables conntrack \
    buildah debootstrap gcc libc6-dev
  bash "$CLUSTER_SCRIPTS/build-binaries.sh" etcd kubernetes cri-tools distribution
elif [[ $mode == control-plane ]]; then
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
sign "$NODE_CERT" "/O=system:nodes/CN=system:node:$NODE_NAME" $client
sign "$NODE_CERT-serving" "/CN=$NODE_NAME" "extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,DNS:$NODE_NAME"
sign kube-proxy /CN=system:kube-proxy $client
kubeconfig "$KUBECONFIG_PATH" admin
for c in controller-manager scheduler kube-proxy; do kubeconfig "$CLUSTER_DIR/$c.kubeconfig" $c; done
mkdir -p "$NODE_CONF" && kubeconfig "$NODE_CONF/kubelet.kubeconfig" "$NODE_CERT"

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

# The second node joins the control plane the first node brought up.
start_control_plane() {
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
}

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
}

# The node's pod network: its bridge and CNI configuration, in the node's own network namespace.
prepare_pod_network() {
  # The bridge is made here, with its address, so the CNI plugin need not be a gateway: it would
  # turn on IP forwarding for the whole host. Pods get routes to the node, to Services and to the
  # other node's pods only.
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
  local cidr routes=""
  for cidr in "${PEER_POD_CIDRS[@]}"; do routes+=", {\"dst\": \"$cidr\", \"gw\": \"$POD_GATEWAY\"}"; done
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
      "routes": [{"dst": "$SERVICE_CIDR", "gw": "$POD_GATEWAY"}, {"dst": "$HOST_IP/32", "gw": "$POD_GATEWAY"}$routes]
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
  local cgroup_root=/
  if [[ $mode == second-node ]]; then
    # Its pods' cgroups under a root of its own: two kubelets sharing /kubepods would each remove
    # the other's pods as strays.
    cgroup_root=/$NODE_NAME
    local hierarchy
    for hierarchy in /sys/fs/cgroup/*/; do
      [[ -e $hierarchy/cgroup.procs ]] || continue
      mkdir -p "$hierarchy$NODE_NAME"
      if [[ -e $hierarchy/cpuset.cpus ]]; then
        cat "$hierarchy/cpuset.cpus" >"$hierarchy$NODE_NAME/cpuset.cpus"
        cat "$hierarchy/cpuset.mems" >"$hierarchy$NODE_NAME/cpuset.mems"
      fi
    done
  fi
  write_config "$NODE_CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
readOnlyPort: 0
tlsCertFile: $PKI/$NODE_CERT-serving.crt
tlsPrivateKeyFile: $PKI/$NODE_CERT-serving.key
cgroupRoot: $cgroup_root
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
  start kubelet "$K8S_BIN/kubelet" --config "$NODE_CONF/kubelet.yaml" \
    --kubeconfig "$NODE_CONF/kubelet.kubeconfig" --root-dir "$KUBELET_DIR" --cert-dir "$PKI" \
    --node-ip "$NODE_IP" --hostname-override "$NODE_NAME" --node-labels "$NODE_LABELS"
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
  write_config "$NODE_CONF/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $CLUSTER_DIR/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
clusterCIDR: $POD_CIDR
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts on the node address only, never on the machine's real interfaces.
nodePortAddresses: ["$NODE_IP/32"]
# Leave the host's conntrack sysctls and route_localnet alone: the machine is shared.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
iptables: {localhostNodePorts: false}
EOF
  start kube-proxy "$K8S_BIN/kube-proxy" --config "$NODE_CONF/kube-proxy.yaml"
  wait_until kube-proxy curl -sf http://127.0.0.1:10256/healthz
}

# The node's own processes; for the second node this runs inside its namespaces.
bring_up_node() {
  prepare_pod_network
  start_containerd "$pause_image"
  import_image "$pause_archive"
  import_image "$base_archive"
  start_kubelet
  start_kube_proxy
}

# node2_paths PATH — prints where the second node keeps its own PATH (one of NODE_PRIVATE_PATHS,
# relative to the cluster directory or absolute), and PATH as the node sees it.
node2_paths() {
  if [[ $1 == /* ]]; then echo "$NODE2_DIR/root$1" "$1"; else echo "$NODE2_DIR/$1" "$CLUSTER_DIR/$1"; fi
}

# The second node: its namespaces made here, its processes started by `up.sh second-node` inside them.
add_second_node() {
  local p source target binds=()
  mkdir -p "$NODE2_DIR/ns"
  # Its address on a veth whose other end is the host's: the apiserver and the first node's pods
  # are a route away, as on a second machine of the cluster network.
  [[ -e /run/netns/$NODE2_NETNS ]] || ip netns add "$NODE2_NETNS"
  if ! ip link show "$NODE2_VETH" >/dev/null 2>&1; then
    ip link add "$NODE2_VETH" type veth peer name eth0 netns "$NODE2_NETNS"
    ip addr add "$NODE2_LINK_IP/30" dev "$NODE2_VETH"
    ip link set "$NODE2_VETH" up
    ip -n "$NODE2_NETNS" link set lo up
    ip -n "$NODE2_NETNS" addr add "$NODE2_IP/30" dev eth0
    ip -n "$NODE2_NETNS" link set eth0 up
  fi
  # Routes for the cluster's addresses only (no default route: nothing leaves the machine), and
  # forwarding on the two interfaces between the nodes, not for the whole host.
  ip route replace "$NODE2_POD_CIDR" via "$NODE2_IP" dev "$NODE2_VETH"
  ip -n "$NODE2_NETNS" route replace "$HOST_IP/32" via "$NODE2_LINK_IP"
  ip -n "$NODE2_NETNS" route replace "$POD_CIDR" via "$NODE2_LINK_IP"
  sysctl -qw "net.ipv4.conf.$BRIDGE.forwarding=1" "net.ipv4.conf.$NODE2_VETH.forwarding=1"
  ip netns exec "$NODE2_NETNS" sysctl -qw net.ipv4.conf.all.forwarding=1

  # Its own directories over the node paths, in a mount namespace kept by a bind mount (which
  # needs a mount that is not shared). Mounts the host makes later reach it; its own stay in it.
  if ! findmnt -rn -M "$NODE2_DIR/ns" >/dev/null; then
    mount --bind "$NODE2_DIR/ns" "$NODE2_DIR/ns"
    mount --make-private "$NODE2_DIR/ns"
  fi
  if ! findmnt -rn -M "$NODE2_MOUNT_NS" >/dev/null; then
    for p in "${NODE_PRIVATE_PATHS[@]}"; do
      read -r source target < <(node2_paths "$p")
      mkdir -p "$source"
      if [[ ! -d $target ]]; then
        mkdir -p "$target"
        echo "$target" >>"$RUN/node2-made-dirs"
      fi
      binds+=("$source" "$target")
    done
    touch "$NODE2_MOUNT_NS"
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare --mount="$NODE2_MOUNT_NS" --propagation slave \
      bash -c 'while (($# > 1)); do mount --bind "$1" "$2" && shift 2; done' _ "${binds[@]}"
  fi

  on_node2 env SWITCHBENCH_ON_NODE2=1 POD_CIDR_OF_NODE1="$POD_CIDR" PAUSE_IMAGE="$pause_image" \
    PAUSE_ARCHIVE="$pause_archive" BASE_ARCHIVE="$base_archive" bash "$CLUSTER_SCRIPTS/up.sh" second-node
  copy_images_to_node2
}

# The first node's project images (imported by images/build.sh) that the second lacks: nodes of a
# pool run one image set. Images the first node pulled from the local registry stay there.
copy_images_to_node2() {
  local ref digest have
  have=$(ctr --address "$NODE2_SOCK" --namespace k8s.io images ls 2>/dev/null | awk 'NR > 1 { print $1 "@" $3 }')
  ctr_k8s images ls | awk 'NR > 1 && index($1, "localhost/switchbench-") == 1 { print $1, $3 }' |
    while read -r ref digest; do
      grep -qxF "$ref@$digest" <<<"$have" && continue
      log "copying $ref to $NODE2_NAME"
      ctr_k8s images export - "$ref" | ctr --address "$NODE2_SOCK" --namespace k8s.io images import --all-platforms - >/dev/null
    done
}

case $mode in
  control-plane) start_control_plane ;;
  full | two-node)
    start_control_plane
    prepare_host
    read -r pause_image pause_archive < <(bash "$REPO_ROOT/images/pause/build.sh")
    base_archive=$(bash "$REPO_ROOT/images/base/build.sh")
    start_registry
    bring_up_node
    ln -sf "$CRICTL_BIN/crictl" "$CLUSTER_DIR/bin/crictl"
    [[ $mode == full ]] || add_second_node
    ;;
  second-node)
    pause_image=${PAUSE_IMAGE:?} pause_archive=${PAUSE_ARCHIVE:?} base_archive=${BASE_ARCHIVE:?}
    bring_up_node
    log "node $NODE_NAME up in $((SECONDS - started_at)) s"
    exit 0
    ;;
esac

if ! pid_alive kubelet; then
  echo control-plane
elif RUN=$NODE2_DIR/run pid_alive kubelet; then
  echo two-node
else
  echo full
fi >"$RUN/mode"
cat >"$CLUSTER_DIR/env" <<EOF
export KUBECONFIG=$KUBECONFIG_PATH
export CONTAINER_RUNTIME_ENDPOINT=unix://$CONTAINERD_SOCK
export PATH=$CLUSTER_DIR/bin:\$PATH
# The chart's multus.cniConfDir and multus.cniBinDir values for this node.
export SWITCHBENCH_CNI_CONF_DIR=$CNI_CONF_DIR SWITCHBENCH_CNI_BIN_DIR=$CNI_BIN_DIR
EOF
log "cluster up ($(cat "$RUN/mode")) in $((SECONDS - started_at)) s; for kubectl, crictl and helm: . $CLUSTER_DIR/env"
echo "KUBECONFIG=$KUBECONFIG_PATH"
