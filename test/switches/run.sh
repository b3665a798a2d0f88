#!/usr/bin/env bash
# make test-switches: each switch's entrypoint, run on this host exactly as its pod would run it
# (the driver's argv, capabilities, CPUs from the cpuset, read-only root filesystem; see lib.sh),
# carries packets from the native sender to the native receiver with zero loss, is ready by its own
# probe, and leaves nothing behind on SIGTERM. memif, which has no switch, is checked the same way
# with its traffic programs. VPP and Snabb run wherever they are installed (in PATH, or VPP_PREFIX
# and SNABB_BIN; docs/switches.md); where they are not, each of their scenarios prints a
# "NOT RUN <scenario>: not run here: <program> is not installed" line, which neither passes nor fails.
# IMAGES=1 runs the switches from their built images instead (make images; IMAGE_TAG, default dev).
# ONLY=ID… runs only those scenarios; KEEP=1 keeps the logs. Prints one line per test, then
# "N passed, N failed, N not run"; exits non-zero on a failure or when it cannot run.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Correctness, not speed: the switch busy-polls CPU 1, the paced traffic programs share CPU 0 and
# sleep between bursts (their defaults in lib.sh).
SWITCH_CPU=1
RATE=10000
SIZES=(64 512)

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
not_run() { echo "NOT RUN $*"; }
check() { # NAME CONDITION-COMMAND...
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}

# --- inside the sandbox ------------------------------------------------------------------------

# A trial passes when the receiver saw every frame the sender says it sent (the sender's own count,
# not the receiver's guess), none reordered, duplicated or foreign, at the size sent. The end marker
# is not required: the sender closes its port 3 ms after its last copy, and a switch on a shared,
# busy CPU may not have drained the ring by then (the frames are then lost with the port, not on the
# path); the verdict says when that happened.
zero_loss() { # OUT SIZE
  local out=$1 verdict
  verdict=$(python3 - "$out/sender.json" "$out/receiver.json" "$2" <<'PY'
import json, sys
tx, rx, size = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
sent, loss = tx['tx']['packets'], rx['loss']
problems = [f'{k}={v}' for k, v in (('lost', loss['lost']), ('reordered', loss['reordered']),
            ('duplicates', loss['duplicates']), ('foreign', loss['foreign'])) if v]
if rx['frame_size'] != size: problems.append(f"frame size {rx['frame_size']}")
if sent == 0 or loss['received'] != sent: problems.append(f"received {loss['received']} of {sent}")
# A switch's port counters (docs/switches.md), as each program read its own port's: the switch took
# every frame from the sender and handed every one to the receiver.
tx_sw, rx_sw = tx.get('switch'), rx.get('switch')
for sw in (tx_sw, rx_sw):
    if sw and 'error' in sw: problems.append(f"switch counters: {sw['error']}")
if tx_sw and rx_sw and 'error' not in tx_sw and 'error' not in rx_sw:
    # The receiver's span covers the sender's probes too, which a receiver still asleep may refuse.
    control_lost = tx['tx']['probes'] - rx['rx']['probes'] + tx['tx']['end_markers'] - rx['rx']['end_markers']
    if (tx_sw['in_rx'] < sent or tx_sw['in_dropped'] or rx_sw['out_tx'] < loss['received']
            or rx_sw['out_dropped'] > max(0, control_lost)):
        problems.append(f"switch counters {tx_sw} {rx_sw} for {sent} frames sent, {control_lost} control frames lost")
elif (tx_sw is None) != (rx_sw is None): problems.append('only one program read the switch counters')
note = '' if loss['end_marker'] else ', end marker not received'
print('; '.join(problems) if problems else f'{sent} of {sent} frames{note}')
PY
  ) || verdict='no summaries'
  echo "$verdict"
  [[ $verdict =~ ^([0-9]+)' of '([0-9]+)' frames' ]]
}

# The switch's own check (the pod's startup probe) judges a forwarding switch, not one waiting for
# its first client: it must pass while the traffic programs are connected too.
ready_during_trial() { # NAME PLAN
  local ready
  read_argv ready "$2/ready"
  as_container "$2/capabilities"
  if chroot "$SWITCH_ROOT" "${CONTAINER[@]}" "${ready[@]}" >/dev/null 2>&1; then
    pass "$1: still ready by its own probe while a trial runs"
  else
    fail "$1: not ready by its own probe while a trial runs"
  fi
}

trials() { # NAME PLAN OUT
  local size verdict ok
  for size in "${SIZES[@]}"; do
    ok=false verdict=''
    if traffic_start "$2" "$size" "$RATE" 4 "$3"; then
      if [[ -f $2/command && $size == "${SIZES[0]}" ]]; then
        sleep 2
        ready_during_trial "$1" "$2"
      fi
      traffic_wait && ok=true
    fi
    if $ok && verdict=$(zero_loss "$3" "$size"); then
      pass "$1: $size-byte frames at $RATE pps from sb-sender to sb-receiver, zero loss ($verdict)"
    else
      fail "$1: $size-byte frames at $RATE pps from sb-sender to sb-receiver: ${verdict:-a program failed}"
      tail -n 5 "$3"/receiver.log "$3"/sender.log >&2
    fi
  done
}

no_leftovers() { # NAME SID
  local left
  left=$(leftovers "${2-}")
  if [[ -z $left ]]; then pass "$1"; else fail "$1: $left"; fi
}

# VPP counted "mmap failure" in vhost-user-input when a traffic program's memory table changed while
# VPP served its rings (the programs now reserve their memory up front): none may appear.
vpp_errors() { # NAME PLAN
  local errors
  errors=$(chroot "$SWITCH_ROOT" vppctl -s /run/switch/vpp/cli.sock show errors 2>&1) || {
    fail "$1: vppctl show errors: $errors"
    return
  }
  if grep -qi 'mmap failure' <<<"$errors"; then
    fail "$1: VPP's vhost-user-input counted mmap failures: $(grep -i 'mmap failure' <<<"$errors" | tr -s ' ')"
  else
    pass "$1: VPP's vhost-user-input counted no mmap failure over both trials"
  fi
}

# A receiver that takes at most 2000 frames a second behind a switch offered 20000: the receiver's
# ring fills and the switch must count what it refused there (its OUT_DROPPED port counter), which
# is how the operator says the loss happened at the receiver's ring and not in the switch.
loss_located() { # NAME PLAN OUT
  local verdict
  RX_EXTRA=(--max-pps 2000)
  if ! traffic_run "$2" 64 20000 3 "$3"; then
    fail "$1: a trial with a throttled receiver did not complete"
    tail -n 5 "$3"/receiver.log "$3"/sender.log >&2
  elif verdict=$(python3 - "$3/sender.json" "$3/receiver.json" <<'PY'
import json, sys
tx, rx = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
tx_sw, rx_sw, lost, sent = tx['switch'], rx['switch'], rx['loss']['lost'], tx['tx']['packets']
for sw in (tx_sw, rx_sw):
    if 'error' in sw: sys.exit(f"switch counters: {sw['error']}")
problems = []
if tx['tx']['failures']: problems.append(f"the sender's ring refused {tx['tx']['failures']}")
if lost < sent / 2: problems.append(f'only {lost} of {sent} lost: the receiver was not throttled')
# The receiver's counters also cover the sender's probes and end markers, which the slow receiver's
# ring refused alike: what the switch refused of the data is the rest.
control_lost = tx['tx']['probes'] - rx['rx']['probes'] + tx['tx']['end_markers'] - rx['rx']['end_markers']
# OVS's tx_dropped ran up to 0.4 % above the frames lost (its retries and batching): 1 % of the sent.
if abs(rx_sw['out_dropped'] - control_lost - lost) > max(10, sent / 100):
    problems.append(f"the switch refused {rx_sw['out_dropped']} at the receiver's ring ({control_lost} of them probes or end markers), {lost} lost")
if tx_sw['in_rx'] - rx_sw['out_tx'] - rx_sw['out_dropped'] > 10: problems.append(f'dropped inside the switch: {tx_sw} {rx_sw}')
print('; '.join(problems) if problems else f"{lost} of {sent} lost, {rx_sw['out_dropped']} refused at the receiver's ring by the switch's count")
sys.exit(1 if problems else 0)
PY
  ); then
    pass "$1: a throttled receiver's loss is counted by the switch at the receiver's ring ($verdict)"
  else
    fail "$1: a throttled receiver's loss at the receiver's ring: $verdict"
  fi
  RX_EXTRA=()
}

switch_scenario() { # NAME PLAN WORK
  local name=$1 plan=$2 out=$3
  switch_start "$plan" "$SWITCH_CPU" "$out/switch.log"
  local sid=$SWITCH_PID
  if ! switch_wait_ready "$plan" 60; then
    fail "$name: ready by its own probe within 60 s"
    tail -n 20 "$out/switch.log" >&2
    switch_stop 15
    return
  fi
  pass "$name: ready by its own probe (ports exist and forwarding is set up)"
  trials "$name" "$plan" "$out"
  loss_located "$name" "$plan" "$out"
  [[ $(cat "$plan/datapath") != vpp ]] || vpp_errors "$name" "$plan"
  if switch_stop 15; then pass "$name: exits on SIGTERM"; else fail "$name: still running 15 s after SIGTERM"; fi
  no_leftovers "$name: after SIGTERM no socket, process, state, runtime or hugepage file is left" "$sid"
}

# A switch pod deleted with grace period 0 is replaced while its container still stops: the second
# switch on the run directory waits for the first to be gone (its stop removes its sockets) before it
# creates its own, then forwards.
takeover_scenario() { # PLAN WORK
  local plan=$1 out=$2/takeover first second deadline
  mkdir -p "$out"
  switch_start "$plan" "$SWITCH_CPU" "$out/first.log"
  first=$SWITCH_PID
  if ! switch_wait_ready "$plan" 60; then
    fail "takeover: the first testpmd ready within 60 s"
    switch_stop 15
    return
  fi
  switch_start "$plan" "$SWITCH_CPU" "$out/second.log"
  second=$SWITCH_PID
  deadline=$((SECONDS + 20))
  until grep -q 'waiting for it to stop' "$out/second.log" || ((SECONDS >= deadline)); do sleep 0.1; done
  check 'takeover: a second testpmd on the same run directory waits while the first runs' grep -q 'waiting for it to stop' "$out/second.log"
  SWITCH_PID=$first
  check 'takeover: the first testpmd exits on SIGTERM' switch_stop 15
  SWITCH_PID=$second
  if ! switch_wait_ready "$plan" 60; then
    fail "takeover: the second testpmd ready within 60 s of the first's stop"
    tail -n 20 "$out/second.log" >&2
  else
    check "takeover: the second testpmd's sockets are there after the first's stop" test "$(find /run/switchbench -type s | wc -l)" -eq 2
    trials 'testpmd after a takeover' "$plan" "$out"
  fi
  check 'takeover: the second testpmd exits on SIGTERM' switch_stop 15
  local left
  left="$(leftovers "$first")$(session_processes "$second")"
  if [[ -z $left ]]; then pass 'takeover: nothing of either testpmd is left'; else fail "takeover: left behind: $left"; fi
}

# memif has no switch: the receiver (memif server) and sender stop on SIGTERM in the middle of a trial.
memif_scenario() { # NAME PLAN WORK
  local name=$1 plan=$2 out=$3
  trials "$name" "$plan" "$out"
  if traffic_start "$plan" 64 "$RATE" 60 "$out"; then
    sleep 3
    kill -TERM "$TX_PID" "$RX_PID"
    traffic_wait
  fi
  no_leftovers "$name: after SIGTERM to sender and receiver no socket, process, runtime or hugepage file is left"
}

refuses() { # NAME CMD... : the command must exit 2 (a usage error) without starting anything
  local name=$1
  shift
  "$@" >/dev/null 2>&1
  local status=$?
  if ((status == 2)) && [[ -z $(leftovers) ]]; then pass "$name"; else fail "$name (exit $status)"; fi
}

# sb-switch-snabb's readiness logic without Snabb: the status the engine's timer writes (fresh or
# stale, each port listening or serving a peer) and, for a listening port, a vhost-user GET_FEATURES
# answered by a stand-in for Snabb's vhost_user (fake_vhost_user.py), with and without VERSION_1.
snabb_probe_logic() {
  local status=/run/switch/snabb-status sockets=(/run/switchbench/sender.sock /run/switchbench/receiver.sock) fake=''
  local probe=(/usr/local/bin/sb-switch-snabb ready --state-dir /run/switch --socket "${sockets[0]}" --socket "${sockets[1]}")
  write_status() { # SENDER_STATE RECEIVER_STATE
    printf 'link sender.tx -> receiver.rx\nlink receiver.tx -> sender.rx\nport sender %s\nport receiver %s\n' "$1" "$2" >"$status"
  }
  expect() { # NAME 0|1 (the probe's verdict: 0 ready)
    local name=$1 want=$2 got=0
    "${probe[@]}" >/dev/null 2>&1 || got=1
    if ((got == want)); then pass "sb-switch-snabb ready: $name"; else fail "sb-switch-snabb ready: $name"; fi
  }
  fake() { # [--no-version-1]
    python3 "$SWITCHES_DIR/fake_vhost_user.py" "$@" "${sockets[@]}" &
    fake=$!
    local deadline=$((SECONDS + 10))
    until [[ -S ${sockets[0]} && -S ${sockets[1]} ]] || ((SECONDS >= deadline)); do sleep 0.05; done
  }
  stop_fake() {
    [[ -z $fake ]] || { kill "$fake" 2>/dev/null; wait "$fake" 2>/dev/null; }
    fake=''
    rm -f "${sockets[@]}"
  }
  expect 'not ready before the engine has written its status' 1
  write_status ready ready
  expect 'ready while the engine serves a peer on each port' 0
  touch -d '10 seconds ago' "$status"
  expect 'not ready when the status is stale (the engine loop stopped)' 1
  write_status listening connected
  expect 'not ready when a listening port does not answer' 1
  fake
  expect 'ready when each listening port answers GET_FEATURES with VERSION_1' 0
  stop_fake
  fake --no-version-1
  expect 'not ready when the answer lacks VIRTIO_F_VERSION_1' 1
  stop_fake
  rm -f "$status"
}

inside() { # WORK SCENARIO...
  local work=$1
  shift
  sandbox_setup "$work"
  refuses 'testpmd entrypoint refuses a socket outside the run directory' \
    /usr/local/bin/sb-switch-testpmd run --port /tmp/x.sock --port /run/switchbench/receiver.sock
  refuses 'testpmd entrypoint refuses shell syntax in a socket path' \
    /usr/local/bin/sb-switch-testpmd run --port '/run/switchbench/a;b.sock' --port /run/switchbench/receiver.sock
  refuses 'testpmd entrypoint refuses a burst out of range' \
    /usr/local/bin/sb-switch-testpmd run --port /run/switchbench/sender.sock --port /run/switchbench/receiver.sock --burst 0
  # shellcheck disable=SC2016 # the command substitution must reach the entrypoint unexpanded
  refuses 'OVS entrypoint refuses a static MAC that is not one' \
    /usr/local/bin/sb-switch-ovs run --state-dir /run/switch --port /run/switchbench/sender.sock \
    --port /run/switchbench/receiver.sock --flows /etc/hostname --static-mac 'receiver,$(id)'
  refuses 'VPP entrypoint refuses a socket outside the run directory' \
    /usr/local/bin/sb-switch-vpp run --state-dir /run/switch --socket /tmp/x.sock --socket /run/switchbench/receiver.sock
  refuses 'VPP entrypoint refuses a configuration outside its ConfigMap' \
    /usr/local/bin/sb-switch-vpp run --state-dir /run/switch --config /etc/hostname
  refuses 'Snabb entrypoint refuses shell syntax in a socket path' \
    /usr/local/bin/sb-switch-snabb run --state-dir /run/switch --socket '/run/switchbench/a;b.sock'
  refuses 'Snabb entrypoint refuses a program outside its ConfigMap' \
    /usr/local/bin/sb-switch-snabb run --state-dir /run/switch --program /etc/hostname
  local ready
  for ready in sb-switch-testpmd sb-switch-ovs sb-switch-vpp; do
    if [[ $ready == sb-switch-vpp && -n ${VPP_MISSING-} ]]; then
      not_run "$ready ready fails while no switch runs: not run here: $VPP_MISSING"
    elif "/usr/local/bin/$ready" ready --state-dir /run/switch --flows /etc/switchbench/none >/dev/null 2>&1 ||
      "/usr/local/bin/$ready" ready --state-dir /run/switch >/dev/null 2>&1 ||
      "/usr/local/bin/$ready" ready >/dev/null 2>&1; then
      fail "$ready ready fails while no switch runs"
    else
      pass "$ready ready fails while no switch runs"
    fi
  done
  snabb_probe_logic
  local scenario
  for scenario in "$@"; do
    local name=${scenario%%=*} plan=$work/plans/${scenario#*=} out=$work/out/${scenario#*=}
    mkdir -p "$out"
    if [[ -f $plan/command ]]; then switch_scenario "$name" "$plan" "$out"; else memif_scenario "$name" "$plan" "$out"; fi
  done
  [[ ! -f $work/plans/testpmd/command ]] || takeover_scenario "$work/plans/testpmd" "$work/out"
}

if [[ ${1-} == --inside ]]; then
  shift
  inside "$@"
  exit 0
fi

# --- on the host -------------------------------------------------------------------------------

prepare_host
# Not under /tmp: the sandbox mounts its own /tmp.
work=$(mktemp -d /var/tmp/sb-switches.XXXXXX)
trap 'unmount_images; [[ ${KEEP-} == 1 ]] && say "kept $work" || rm -rf "$work"' EXIT
compile_drivers "$work/compiled"
scenarios=(
  'testpmd=testpmd:testpmd:{}'
  'OVS-DPDK port-to-port=ovs-p2p:ovs-dpdk:{"ovsDpdk":{"forwarding":"port-to-port"}}'
  'OVS-DPDK l2-learning=ovs-l2:ovs-dpdk:{"ovsDpdk":{"forwarding":"l2-learning"}}'
  'VPP l2-xconnect=vpp-xc:vpp:{"vpp":{"forwarding":"l2-xconnect"}}'
  'VPP bridge-domain=vpp-bd:vpp:{"vpp":{"forwarding":"bridge-domain"}}'
  'Snabb port-to-port=snabb-p2p:snabb:{"snabb":{"forwarding":"port-to-port"}}'
  'Snabb l2-learning=snabb-l2:snabb:{"snabb":{"forwarding":"l2-learning"}}'
  'memif=memif:memif:{}'
)
[[ -z ${ONLY-} ]] || mapfile -t scenarios < <(printf '%s\n' "${scenarios[@]}" | grep -E "=(${ONLY// /|}):")

# VPP and Snabb where they are installed; their scenarios say so by name where they are not.
VPP_MISSING=$(switch_missing vpp) || VPP_BAD=$VPP_MISSING
SNABB_MISSING=$(switch_missing snabb) || SNABB_BAD=$SNABB_MISSING
export VPP_MISSING SNABB_MISSING
runnable=() unrun=() images=(testpmd ovs-dpdk)
for scenario in "${scenarios[@]}"; do
  IFS=: read -r _ datapath _ <<<"${scenario#*=}"
  case $datapath in
    vpp) why=$VPP_MISSING ;;
    snabb) why=$SNABB_MISSING ;;
    *) why='' ;;
  esac
  if [[ -n $why ]]; then
    unrun+=("${scenario%%=*}: not run here: $why")
  else
    runnable+=("$scenario")
    [[ $datapath != vpp && $datapath != snabb ]] || images+=("$datapath")
  fi
done
mapfile -t images < <(printf '%s\n' "${images[@]}" | sort -u)
mount_images "${images[@]}"
plan_scenarios "$work/compiled" "$work" "${runnable[@]}"

results=$work/results
{
  [[ -z ${VPP_BAD-} ]] || fail "VPP: $VPP_BAD"
  [[ -z ${SNABB_BAD-} ]] || fail "Snabb: $SNABB_BAD"
  for line in "${unrun[@]}"; do not_run "$line"; done
  for f in "$REPO"/images/{testpmd,ovs-dpdk,vpp,snabb}/sb-switch-* "$SWITCHES_DIR"/*.sh; do
    check "shellcheck finds nothing in ${f#"$REPO"/}" shellcheck -x -P SCRIPTDIR -s bash "$f"
  done
  for forwarding in port-to-port l2-learning; do
    plan "$work/compiled" "$work/plans/snabb-$forwarding" snabb "{\"snabb\":{\"forwarding\":\"$forwarding\"}}"
    check "the generated Snabb program ($forwarding) compiles under LuaJIT" \
      luajit -b "$work/plans/snabb-$forwarding/config/switch.lua" /dev/null
  done
  enter_sandbox "$0" --inside "$work" "${SCENARIOS[@]}" || fail "the sandbox stopped early (exit $?)"
} | tee "$results"

passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
notrun=$(grep -c '^NOT RUN' "$results")
echo "$passed passed, $failed failed, $notrun not run"
((failed == 0 && passed > 0))
