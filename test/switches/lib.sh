# shellcheck shell=bash
# Shared by run.sh (the switches' host tests) and bench.sh: a sandbox that looks to the switch like
# its pod (docs/switches.md, "Host tests"), and the steps of a trial as the controller makes them:
# the driver's plan, the switch entrypoint with the plan's argv and capabilities, its readiness
# probe, then receiver and sender with the plan's backend arguments.

SWITCHES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SWITCHES_DIR/../.." && pwd)
NATIVE=$REPO/native/build
PACKAGES=(dpdk dpdk-dev librte-net-vhost23 librte-net-virtio23 librte-net-memif23 librte-mempool-ring23
  openvswitch-switch-dpdk python3 util-linux luajit shellcheck socat)

say() { printf '%s\n' "$*" >&2; }
fatal() {
  say "test/switches: CANNOT RUN: $*"
  exit 2
}

# --- outside the sandbox ------------------------------------------------------------------------

# Root, the Debian packages (a fresh machine has none), the native programs and 2 MiB hugepages.
prepare_host() {
  ((EUID == 0)) || fatal 'must run as root (mount namespaces, hugepages, DPDK)'
  # shellcheck source=../../.ci/cluster/lib.sh
  . "$REPO/.ci/cluster/lib.sh"
  ensure_packages "${PACKAGES[@]}" || fatal "could not install ${PACKAGES[*]}"
  [[ -x $NATIVE/sb-sender && -x $NATIVE/sb-receiver ]] || fatal "no $NATIVE/sb-sender or sb-receiver: run make -C native"
  # Others on this machine use hugepages too: only ever raise the pool.
  local have
  have=$(cat /proc/sys/vm/nr_hugepages)
  ((have >= 1024)) || echo 1024 >/proc/sys/vm/nr_hugepages
  (($(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo) >= 256)) || fatal 'fewer than 256 free 2 MiB hugepages'
}

# Compiles the drivers, the API defaults and what they import (not the whole of src/) to DIR.
compile_drivers() {
  (cd "$REPO" && node_modules/.bin/tsc src/datapaths/index.ts src/api/v1alpha1/defaults.ts --outDir "$1" --rootDir . --module nodenext \
    --moduleResolution nodenext --target es2022 --strict --skipLibCheck --resolveJsonModule --types node) ||
    fatal 'the drivers do not compile (npm ci first?)'
}

# plan COMPILED OUT DATAPATH [SPEC_JSON]: the driver's plan as files (see plan.mjs).
plan() { node "$SWITCHES_DIR/plan.mjs" "$@" || fatal "no plan for $3"; }

# IMAGES=1: mounts the built image of each data path given (buildah from + mount) and exports its
# root as SWITCH_ROOT_<datapath> for the sandbox; unmount_images undoes it.
IMAGE_CONTAINERS=()
image_name() { echo "localhost/switchbench-$1:${IMAGE_TAG:-dev}"; }
image_built() { buildah inspect --type image "$(image_name "$1")" >/dev/null 2>&1; }
mount_images() { # DATAPATH...
  [[ ${IMAGES-} == 1 ]] || return 0
  local datapath image container
  for datapath in "$@"; do
    image=$(image_name "$datapath")
    container=$(buildah from --pull=never "$image" 2>/dev/null) || fatal "IMAGES=1: no image $image (make images)"
    IMAGE_CONTAINERS+=("$container")
    export "SWITCH_ROOT_${datapath//-/_}=$(buildah mount "$container")"
  done
}

# VPP and Snabb are not Debian packages: the tier runs them where they are installed, found in PATH
# or at VPP_PREFIX (bin/vpp, bin/vppctl) and SNABB_BIN (the snabb binary), or with IMAGES=1 in
# their built images. Prints why DATAPATH cannot run here, nothing when it can; non-zero when the
# user pointed at an installation that is not there (a failure, not a skip).
switch_missing() { # DATAPATH
  case $1 in
    vpp)
      if [[ ${IMAGES-} == 1 ]]; then
        image_built vpp || echo "the image $(image_name vpp) is not built"
      elif [[ -n ${VPP_PREFIX-} ]]; then
        [[ -x $VPP_PREFIX/bin/vpp && -x $VPP_PREFIX/bin/vppctl ]] || {
          echo "VPP_PREFIX=$VPP_PREFIX has no bin/vpp and bin/vppctl"
          return 1
        }
      elif ! command -v vpp >/dev/null || ! command -v vppctl >/dev/null; then
        echo 'vpp is not installed (vpp and vppctl in PATH, or VPP_PREFIX)'
      fi
      ;;
    snabb)
      if [[ ${IMAGES-} == 1 ]]; then
        image_built snabb || echo "the image $(image_name snabb) is not built"
      elif [[ -n ${SNABB_BIN-} ]]; then
        [[ -x $SNABB_BIN ]] || {
          echo "SNABB_BIN=$SNABB_BIN is not an executable"
          return 1
        }
      elif ! command -v snabb >/dev/null; then
        echo 'snabb is not installed (in PATH, or SNABB_BIN)'
      fi
      ;;
  esac
  return 0
}
unmount_images() {
  local container
  for container in "${IMAGE_CONTAINERS[@]}"; do buildah umount "$container" >/dev/null && buildah rm "$container" >/dev/null; done
}

# Plans each scenario NAME=ID:DATAPATH:SPEC_JSON into WORK/plans/ID and lists them as NAME=ID in
# array SCENARIOS, the form the sandbox side takes.
SCENARIOS=()
plan_scenarios() { # COMPILED WORK SCENARIO...
  local compiled=$1 work=$2 scenario id datapath spec
  shift 2
  for scenario in "$@"; do
    IFS=: read -r id datapath spec <<<"${scenario#*=}"
    plan "$compiled" "$work/plans/$id" "$datapath" "$spec"
    SCENARIOS+=("${scenario%%=*}=$id")
  done
}

# Runs this script again inside new mount and network namespaces: nothing it mounts or starts is
# seen outside, and nothing but loopback exists inside.
enter_sandbox() { unshare --mount --net --propagation private -- bash "$@"; }

# --- inside the sandbox -------------------------------------------------------------------------

# Mounts what the kubelet gives a switch pod, over a read-only root filesystem like the pod's:
# tmpfs at /run (the run directory /run/switchbench, the state directory /var/run/switch and the
# DPDK runtime directory /var/run/dpdk), the images' files at /usr/local and the ConfigMap at
# /etc/switchbench. A tmpfs at /tmp stands for the images' link of /tmp into the state directory.
# WORK (outside /tmp) stays writable for logs and summaries.
sandbox_setup() { # WORK
  local work=$1
  mount --make-rprivate /
  mount --bind "$work" "$work"
  mount -t tmpfs -o size=64m,mode=755 tmpfs /run
  mkdir -p /run/switchbench /run/switch /run/dpdk
  # A checkout under /tmp (CI clones anywhere) would vanish under that tmpfs: keep it visible.
  if [[ $REPO == /tmp/* ]]; then
    mkdir -p "$work/repo" && mount --bind "$REPO" "$work/repo"
  fi
  mount -t tmpfs -o size=16m,mode=1777 tmpfs /tmp
  if [[ $REPO == /tmp/* ]]; then
    mkdir -p "$REPO" && mount --bind "$work/repo" "$REPO"
  fi
  # A container's /dev has no tun node (its runtime allows the device but creates no node).
  mount -t tmpfs -o size=1m,mode=755 tmpfs /dev/net
  mount -t tmpfs -o size=16m,mode=755 tmpfs /usr/local
  mkdir -p /usr/local/bin /usr/local/lib/switchbench
  cp "$REPO"/images/testpmd/sb-switch-lib.sh "$REPO"/images/testpmd/testpmd-telemetry.py /usr/local/lib/switchbench/
  cp "$REPO"/images/testpmd/sb-switch-testpmd "$REPO"/images/ovs-dpdk/sb-switch-ovs "$REPO"/images/vpp/sb-switch-vpp \
    "$REPO"/images/snabb/sb-switch-snabb /usr/local/bin/
  # An installation outside PATH, as the images have it in PATH (VPP finds its plugins next to its
  # binary, following the link).
  if [[ -n ${VPP_PREFIX-} ]]; then ln -s "$VPP_PREFIX/bin/vpp" "$VPP_PREFIX/bin/vppctl" /usr/local/bin/; fi
  if [[ -n ${SNABB_BIN-} ]]; then ln -s "$SNABB_BIN" /usr/local/bin/snabb; fi
  # The Snabb image links /var/run/snabb (Snabb's shared memory and hugetlbfs mount point) into the
  # state directory; /var/run is /run here.
  ln -s /run/switch/snabb /run/snabb
  mkdir -p "$work/etc-upper" "$work/etc-work"
  mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc
  mkdir -p /etc/switchbench
  mount -o remount,bind,ro /
  mount -o remount,ro /usr/local
  local root
  for root in "${!SWITCH_ROOT_@}"; do image_root_setup "${!root}"; done
}

# With IMAGES=1 the switch runs chrooted into its built image (images/<datapath>, buildah's
# localhost/switchbench-<datapath>:$IMAGE_TAG) instead of from the host's files. The image's root is
# mounted read-only with what a container gets (proc, sys, a minimal /dev without a tun node,
# /dev/shm) and what the pod mounts (tmpfs /run for the state and DPDK runtime directories, the
# sandbox's run directory and ConfigMap directory).
image_root_setup() { # ROOT
  local root=$1 dev
  mount --bind "$root" "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount -t tmpfs -o size=1m,mode=755 tmpfs "$root/dev"
  for dev in null zero full random urandom; do
    touch "$root/dev/$dev"
    mount --bind "/dev/$dev" "$root/dev/$dev"
  done
  mkdir "$root/dev/shm"
  mount -t tmpfs -o size=64m tmpfs "$root/dev/shm"
  ln -s /proc/self/fd "$root/dev/fd"
  mount -t tmpfs -o size=64m,mode=755 tmpfs "$root/run"
  mkdir -p "$root/run/switchbench" "$root/run/switch" "$root/run/dpdk" "$root/etc/switchbench"
  mount --bind /run/switchbench "$root/run/switchbench"
  mount --bind /etc/switchbench "$root/etc/switchbench"
  mount -o remount,bind,ro "$root"
}

# The root filesystem the plan's switch runs in: its image's (IMAGES=1), or the host's.
switch_root() { # PLAN
  local variable
  variable=SWITCH_ROOT_$(tr -- '-' '_' <"$1/datapath")
  echo "${!variable:-/}"
}

# Installs a plan's configuration files as the ConfigMap volume would (read-only to the switch).
install_config() { # PLAN
  rm -f /etc/switchbench/*
  [[ -z $(ls -A "$1/config") ]] || cp "$1"/config/* /etc/switchbench/
}

read_argv() { mapfile -d '' -t "$1" <"$2"; }

# The capabilities a container of the plan would have, as a command prefix in array CONTAINER:
# setpriv drops every other one (for root, what survives exec is the bounding set once the
# inheritable ones are cleared), and no_new_privs stands for allowPrivilegeEscalation: false.
as_container() { # CAPS_FILE
  local caps=-all cap
  while read -r cap; do [[ -n $cap ]] && caps+=",+${cap,,}"; done <"$1"
  CONTAINER=(setpriv --no-new-privs --inh-caps=-all --bounding-set="$caps" --)
}

SWITCH_PID='' SWITCH_ROOT=/

# Starts the plan's switch on CPUS as its own session (so its processes can be found afterwards).
switch_start() { # PLAN CPUS LOG
  local command
  install_config "$1"
  read_argv command "$1/command"
  as_container "$1/capabilities"
  SWITCH_ROOT=$(switch_root "$1")
  setsid chroot "$SWITCH_ROOT" "${CONTAINER[@]}" taskset -c "$2" "${command[@]}" >"$3" 2>&1 </dev/null &
  SWITCH_PID=$!
}

# Runs the plan's startup probe as the kubelet would, until it passes (0) or TIMEOUT s pass (1).
switch_wait_ready() { # PLAN TIMEOUT
  local ready deadline=$((SECONDS + $2))
  read_argv ready "$1/ready"
  as_container "$1/capabilities"
  until chroot "$SWITCH_ROOT" "${CONTAINER[@]}" "${ready[@]}" >/dev/null 2>&1; do
    kill -0 "$SWITCH_PID" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# SIGTERM, as the kubelet sends it; 0 when the entrypoint exited within TIMEOUT s.
switch_stop() { # TIMEOUT
  local deadline=$((SECONDS + $1))
  kill -TERM "$SWITCH_PID" 2>/dev/null || return 0
  while kill -0 "$SWITCH_PID" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      kill -KILL -- "-$SWITCH_PID" 2>/dev/null
      wait "$SWITCH_PID" 2>/dev/null
      return 1
    fi
    sleep 0.1
  done
  wait "$SWITCH_PID" 2>/dev/null || true
}

# Processes of session SID still alive (the switch's: none may survive it).
session_processes() { ps -e -o pid= -o sid= | awk -v sid="$1" '$2 == sid { printf "pid:%s ", $1 }'; }

# What a stopped switch (or traffic pair) could leave behind: sockets in the run directory, state
# and DPDK runtime files, files in any hugetlbfs, and processes of session SID. The traffic
# programs' own DPDK runtime directories are not counted: each pod has its own, an emptyDir.
leftovers() { # [SID]
  local mounts root=${SWITCH_ROOT%/}
  mapfile -t mounts < <(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts)
  find /run/switchbench /run/switch /run/dpdk "$root/run/switch" "$root/run/dpdk" "${mounts[@]}" -mindepth 1 \
    -not -path '/run/dpdk/sb-sender*' -not -path '/run/dpdk/sb-receiver*' -printf '%p\n' 2>/dev/null | sort -u | tr '\n' ' ' 
  [[ -z ${1-} ]] || session_processes "$1"
}

RX_PID='' TX_PID=''

# Behind a switch the receiver's port comes up when the switch connects, and the receiver says so.
# memif has no switch: the receiver's port comes up only once the sender connects to the socket the
# receiver (the memif server) listens on.
receiver_started() { # PLAN OUT
  local socket
  if [[ -f $1/command ]]; then
    grep -q 'ready: .* port up' "$2/receiver.log" 2>/dev/null
  else
    socket=$(tr '\0' '\n' <"$1/receiver" | grep -o 'socket=[^,]*')
    [[ -S ${socket#socket=} ]]
  fi
}

# Where and how the traffic programs run: CPU lists for taskset and the programs' --cpu-mode
# (shared: they sleep when paced or idle; dedicated: they busy-poll).
TX_CPUS=0 RX_CPUS=0 TX_MODE=shared RX_MODE=shared
# More receiver arguments for the next trials (e.g. --max-pps).
RX_EXTRA=()
# BURST, when set (make bench-cluster sets its in-cluster twin's), is both programs' --burst; unset,
# each keeps its own default, which is also the operator's default for the sender.

# Each trial gets its own destination port, as the operator gives each trial (and attempt) its own
# (dataPort in src/controller/run/traffic-args.ts): frames a switch still holds from the trial before
# arrive as foreign, and the scenarios require none.
TRIAL=0
trial_port() { echo $((5000 + TRIAL * 16 % 60000)); }

# Starts a trial as the controller runs it, shortened: the receiver first, the sender only once the
# receiver is up (what the sender sends earlier counts as lost). The sender is paced at RATE pps
# (0: as fast as it can) for DURATION s, of which the first WARMUP s are not measured; each program
# writes its summary to OUT/<role>.json. Returns non-zero when the receiver never got ready.
traffic_start() { # PLAN SIZE RATE DURATION OUT [WARMUP]
  local plan=$1 size=$2 rate=$3 duration=$4 out=$5 warmup=${6:-1} sender receiver
  TRIAL=$((TRIAL + 1))
  local common=(--duration "$duration" --warmup "$warmup" --link-timeout 20 --dst-port "$(trial_port)" ${BURST:+--burst "$BURST"})
  read_argv receiver "$plan/receiver"
  read_argv sender "$plan/sender"
  rm -f "$out"/receiver.* "$out"/sender.*
  taskset -c "$RX_CPUS" "$NATIVE/sb-receiver" "${common[@]}" --cpu-mode "$RX_MODE" --start-timeout 30 \
    --summary-file "$out/receiver.json" "${RX_EXTRA[@]}" "${receiver[@]}" >"$out/receiver.ndjson" 2>"$out/receiver.log" </dev/null &
  RX_PID=$! TX_PID=''
  local deadline=$((SECONDS + 40))
  until receiver_started "$plan" "$out"; do
    if ! kill -0 "$RX_PID" 2>/dev/null || ((SECONDS >= deadline)); then
      kill -TERM "$RX_PID" 2>/dev/null
      wait "$RX_PID"
      return 1
    fi
    sleep 0.1
  done
  taskset -c "$TX_CPUS" "$NATIVE/sb-sender" --size "$size" --rate "$rate" "${common[@]}" --cpu-mode "$TX_MODE" \
    --summary-file "$out/sender.json" "${sender[@]}" >"$out/sender.ndjson" 2>"$out/sender.log" </dev/null &
  TX_PID=$!
}

# Waits for both programs; non-zero when either failed.
traffic_wait() {
  local sent=0 received=0
  [[ -z $TX_PID ]] || wait "$TX_PID" || sent=$?
  wait "$RX_PID" || received=$?
  ((sent == 0 && received == 0))
}

traffic_run() { traffic_start "$@" && traffic_wait; }

# A field of a summary (a Python expression on `s`, the parsed JSON).
summary() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($2)" "$1"; }
