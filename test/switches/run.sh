#!/usr/bin/env bash
# make test-switches: each runnable switch's entrypoint, run on this host exactly as its pod would
# run it (the driver's argv, capabilities, CPUs from the cpuset, read-only root filesystem; see
# lib.sh), carries packets from the native sender to the native receiver with zero loss, is ready
# by its own probe, and leaves nothing behind on SIGTERM. memif, which has no switch, is checked the
# same way with its traffic programs. VPP and Snabb cannot run here (docs/switches.md): their
# generated configuration is checked by the unit tests, and the Snabb program compiles under LuaJIT.
# IMAGES=1 runs the switches from their built images instead (make images; IMAGE_TAG, default dev).
# ONLY=ID… runs only those scenarios; KEEP=1 keeps the logs. Prints one line per test, then
# "N passed, N failed"; exits non-zero on a failure or when it cannot run.
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
note = '' if loss['end_marker'] else ', end marker not received'
print('; '.join(problems) if problems else f'{sent} of {sent} frames{note}')
PY
  ) || verdict='no summaries'
  echo "$verdict"
  [[ $verdict =~ ^([0-9]+)' of '([0-9]+)' frames' ]]
}

trials() { # NAME PLAN OUT
  local size verdict
  for size in "${SIZES[@]}"; do
    if traffic_run "$2" "$size" "$RATE" 4 "$3" && verdict=$(zero_loss "$3" "$size"); then
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
  local ready
  for ready in sb-switch-testpmd sb-switch-ovs; do
    if "/usr/local/bin/$ready" ready --state-dir /run/switch --flows /etc/switchbench/none >/dev/null 2>&1 ||
      "/usr/local/bin/$ready" ready >/dev/null 2>&1; then
      fail "$ready ready fails while no switch runs"
    else
      pass "$ready ready fails while no switch runs"
    fi
  done
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
mount_images testpmd ovs-dpdk
compile_drivers "$work/compiled"
scenarios=(
  'testpmd=testpmd:testpmd:{}'
  'OVS-DPDK port-to-port=ovs-p2p:ovs-dpdk:{"ovsDpdk":{"forwarding":"port-to-port"}}'
  'OVS-DPDK l2-learning=ovs-l2:ovs-dpdk:{"ovsDpdk":{"forwarding":"l2-learning"}}'
  'memif=memif:memif:{}'
)
[[ -z ${ONLY-} ]] || mapfile -t scenarios < <(printf '%s\n' "${scenarios[@]}" | grep -E "=(${ONLY// /|}):")
plan_scenarios "$work/compiled" "$work" "${scenarios[@]}"

results=$work/results
{
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
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
