#!/usr/bin/env bash
# One host measurement of a kernel socket variant for make bench-cluster (test/bench/cluster.mjs):
# our sender and receiver over veth + a Linux bridge between network namespaces, as the native
# tier sets them up (native/tools/env.sh), unpaced, with the pinning of the in-cluster isolated-dut
# run: the receiver (the device under test on a path without a switch) alone on CPU 1, the sender
# on CPU 0. Prints one line per frame size: SIZE RX_PPS (the receiver's window mean) or SIZE failed.
# Usage: kernel-host.sh BACKEND BATCHING BURST DURATION WARMUP SIZE...
set -u -o pipefail
# shellcheck source=../../native/tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../native/tools/env.sh"

(($# >= 6)) || { echo "usage: kernel-host.sh BACKEND BATCHING BURST DURATION WARMUP SIZE..." >&2; exit 2; }
backend=$1 batching=$2 burst=$3 duration=$4 warmup=$5
shift 5
sb_workdir
why=$(sb_precheck)
[ -z "$why" ] || { echo "kernel-host.sh: cannot run: $why" >&2; exit 1; }
sb_netns_up || { echo "kernel-host.sh: network namespace setup failed" >&2; exit 1; }
SB_RX_EXTRA=(--summary-file "$SB_TMP/receiver.json")
for size in "$@"; do
	SB_TX_EXTRA=(--size "$size")
	if sb_sock_ours "$backend" "$batching" "$duration" "$warmup" $((duration - warmup)) --burst "$burst"; then
		echo "$size $(jq -r '.rx.pps_mean' "$SB_TMP/receiver.json")"
	else
		echo "kernel-host.sh: $backend $batching $size B: $(tail -n 2 "$SB_TMP/run.rx.err")" >&2
		echo "$size failed"
	fi
done
