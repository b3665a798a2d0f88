#!/usr/bin/env bash
# make bench-switches: each runnable switch's maximum receive rate at 64 and 512 B as a ratio of
# memif direct, in one interleaved run (memif, testpmd, OVS-DPDK…, memif, …), each switch started
# from its driver's plan exactly as in run.sh. A figure, never a pass/fail: the CPUs are shared with
# whatever else runs on the machine, so every point is repeated ROUNDS times and reported as the
# median with min and max; each ratio pairs a switch with the memif measurement of the same round.
#
# Pinning on a 2-vCPU machine (three busy pollers on two CPUs collapse to tens of kpps, see
# docs/switches.md): the switch, the device under test, has CPU 1 to itself. The sender busy-polls
# CPU 0, unpaced (method max), and the receiver shares CPU 0 in shared-CPU mode, sleeping when its
# ring is empty. memif runs with the very same traffic pinning and CPU 1 idle, so a ratio is what
# inserting the switch, on its own core, costs the same pair of programs.
set -uo pipefail
# The pinning asked for (make bench-cluster's, or the defaults below), kept from lib.sh, which sets
# the tests' own pinning, and so handed on to the sandbox's run of this script.
pinning="${TX_CPUS:-0} ${TX_MODE:-dedicated} ${RX_CPUS:-0} ${RX_MODE:-shared}"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
read -r TX_CPUS TX_MODE RX_CPUS RX_MODE <<<"$pinning"
export TX_CPUS TX_MODE RX_CPUS RX_MODE

ROUNDS=${ROUNDS:-3}
# make bench-cluster runs one path and round at a time, with the pinning of its in-cluster twin:
# BENCH_PATHS picks paths by id (comma-separated), TX_/RX_CPUS and _MODE override the pinning below,
# BURST the programs' burst, and MEASUREMENTS receives the raw measurement lines. RATE paces the
# sender at that many pps instead (a sweep's point on the host, for docs/switches.md's pacing figures).
BENCH_PATHS=${BENCH_PATHS:-}
SIZES=(64 512)
SWITCH_CPU=1
DURATION=10
WARMUP=4
PATHS=(
  'memif=memif:memif:{}'
  'testpmd=testpmd:testpmd:{}'
  'ovs-dpdk port-to-port=ovs-p2p:ovs-dpdk:{"ovsDpdk":{"forwarding":"port-to-port"}}'
  'ovs-dpdk l2-learning=ovs-l2:ovs-dpdk:{"ovsDpdk":{"forwarding":"l2-learning"}}'
)

# One line per measurement on stdout: ROUND ID SIZE RX_PPS TX_PPS (or "failed").
measure_path() { # ROUND ID PLAN OUT
  local round=$1 id=$2 plan=$3 out=$4 size
  if [[ -f $plan/command ]]; then
    switch_start "$plan" "$SWITCH_CPU" "$out/switch.log"
    if ! switch_wait_ready "$plan" 60; then
      say "$id: switch not ready: $(tail -n 3 "$out/switch.log")"
      switch_stop 15
      for size in "${SIZES[@]}"; do echo "$round $id $size failed"; done
      return
    fi
  fi
  for size in "${SIZES[@]}"; do
    if traffic_run "$plan" "$size" "${RATE:-0}" "$DURATION" "$out" "$WARMUP"; then
      echo "$round $id $size $(summary "$out/receiver.json" "s['rx']['pps_mean']") $(summary "$out/sender.json" "s['tx']['pps']")"
    else
      say "$id $size B: $(tail -n 2 "$out/receiver.log" "$out/sender.log")"
      echo "$round $id $size failed"
    fi
  done
  [[ ! -f $plan/command ]] || switch_stop 15 || say "$id: switch still running 15 s after SIGTERM"
}

if [[ ${1-} == --inside ]]; then
  work=$2
  shift 2
  sandbox_setup "$work"
  for ((round = 1; round <= ROUNDS; round++)); do
    for entry in "$@"; do
      id=${entry#*=}
      mkdir -p "$work/out/$id"
      say "round $round/$ROUNDS: $id"
      measure_path "$round" "$id" "$work/plans/$id" "$work/out/$id"
    done
  done
  exit 0
fi

prepare_host
# Not under /tmp: the sandbox mounts its own /tmp.
work=$(mktemp -d /var/tmp/sb-bench-switches.XXXXXX)
trap 'rm -rf "$work"' EXIT
compile_drivers "$work/compiled"
if [[ -n $BENCH_PATHS ]]; then
  wanted=()
  for entry in "${PATHS[@]}"; do
    id=${entry#*=}
    [[ ,$BENCH_PATHS, == *,${id%%:*},* ]] && wanted+=("$entry")
  done
  ((${#wanted[@]})) || fatal "BENCH_PATHS=$BENCH_PATHS names no path of: ${PATHS[*]}"
  PATHS=("${wanted[@]}")
fi
plan_scenarios "$work/compiled" "$work" "${PATHS[@]}"

say "bench-switches: ${#SCENARIOS[@]} paths x ${#SIZES[@]} sizes x $ROUNDS rounds of $DURATION s (about $((${#SCENARIOS[@]} * ${#SIZES[@]} * ROUNDS * (DURATION + 3) / 60 + 1)) min); sender on CPU $TX_CPUS ($TX_MODE), receiver on CPU $RX_CPUS ($RX_MODE)${BURST:+, burst $BURST}"
enter_sandbox "$0" --inside "$work" "${SCENARIOS[@]}" >"$work/measurements"
[[ -z ${MEASUREMENTS:-} ]] || cp "$work/measurements" "$MEASUREMENTS"

python3 - "$work/measurements" "${SIZES[*]}" "$ROUNDS" "${SCENARIOS[@]}" <<'PY'
import statistics, sys
path, sizes, rounds = sys.argv[1], [int(s) for s in sys.argv[2].split()], int(sys.argv[3])
names, ids = zip(*(entry.rsplit('=', 1) for entry in sys.argv[4:]))
rx, tx, failed = {}, {}, 0
for line in open(path):
    r, i, size, *values = line.split()
    if values == ['failed']:
        failed += 1
        continue
    rx[(int(r), i, int(size))], tx[(int(r), i, int(size))] = float(values[0]), float(values[1])

def spread(values, fmt):
    if not values:
        return 'failed'
    return f'{fmt(statistics.median(values))} [{fmt(min(values))}-{fmt(max(values))}]'

mpps = lambda v: f'{v / 1e6:.2f}'
ratio = lambda v: f'{v:.2f}'
print(f'Maximum receive rate as a ratio of memif direct, {rounds} interleaved rounds: median [min-max]')
print('Pinning: switch alone on CPU 1; sender busy-polling CPU 0, unpaced; receiver on CPU 0 in shared-CPU mode')
print('(sleeps when idle); memif with the same traffic pinning and CPU 1 idle.')
header = f"{'path':<24}" + ''.join(f"{f'{s} B ratio':<20}{f'{s} B rx Mpps':<22}{f'{s} B tx Mpps':<22}" for s in sizes)
print(header)
for i, name in zip(ids, names):
    row = f'{name:<24}'
    for s in sizes:
        ratios = [rx[(r, i, s)] / rx[(r, 'memif', s)] for r in range(1, rounds + 1) if (r, i, s) in rx and (r, 'memif', s) in rx]
        rates = [rx[k] for k in rx if k[1:] == (i, s)]
        sent = [tx[k] for k in tx if k[1:] == (i, s)]
        row += f'{spread(ratios, ratio):<20}{spread(rates, mpps):<22}{spread(sent, mpps):<22}'
    print(row)
if failed:
    print(f'{failed} measurements failed (see the messages above)')
sys.exit(1 if failed else 0)
PY
