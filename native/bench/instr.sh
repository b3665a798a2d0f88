#!/usr/bin/env bash
# make -C native bench-instr: instructions per received packet, sb-receiver vs dpdk-testpmd
# --forward-mode=rxonly, counted by valgrind's callgrind. Instruction counts repeat on a noisy
# shared machine where seconds do not, so this is the figure to optimise the receive path against.
#   Input: sb-sender (native speed, unpaced, CPU 0) into the same memif (or vhost-user) port; the
#   receiver under callgrind runs tens of times slower, so its ring is always full and every poll
#   returns a full burst of 32: the count is the cost of a packet at full bursts, the receiver's
#   cost when it matters (at saturation), with no empty polls to blur it. The sender starts first
#   (memif server / vhost-user server) so the first poll already finds a full ring; the receiver is
#   stopped by SIGINT while the sender still sends.
#   Counted: ours, the function rx_loop() of receiver.c (the polling loop with all its accounting),
#   not EAL start-up; testpmd, its forwarding lcore's thread (callgrind --separate-threads), whose
#   only work is the rxonly loop. Packets: ours rx.packets of its summary, testpmd RX-packets.
# Both are measured side by side in one run; prints Ir/packet each and the ratio ours/testpmd.
# Environment: INSTR_SECONDS (receiver run time under callgrind, default 12), INSTR_PATHS
# (default "memif vhost-user"), INSTR_KEEP (a directory to keep the callgrind files in).
set -u -o pipefail

# shellcheck source=../tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/env.sh"
SECS=${INSTR_SECONDS:-12}
PATHS=${INSTR_PATHS:-memif vhost-user}
B=$SB_BIN
sb_workdir
T=$SB_TMP

why=$(sb_precheck)
[ -z "$why" ] && why=$(sb_hugepages 256)
[ -z "$why" ] && ! command -v valgrind >/dev/null && why="valgrind missing (make -C native bench-instr installs it)"
if [ -n "$why" ]; then
	echo "bench-instr: cannot run: $why" >&2
	exit 1
fi

# --fair-sched: valgrind runs one thread at a time, and without it the busy polling loop starves
# EAL's interrupt thread, which does the memif handshake, so the link never comes up.
# valgrind cannot reserve EAL's hugepage address space; plain memory behaves the same for counting.
vg_eal() { echo --no-pci --no-huge -m 512 --file-prefix "sbt$SB_ID-$1" --vdev "$2"; }

# Largest per-thread total among callgrind files $@ (one per thread).
max_ir() { awk '/^(summary|totals):/ { if ($2 > m) m = $2 } END { print m + 0 }' "$@"; }

# Prints "instructions packets" of one receiver ($2: ours|pmd) on path $1.
instr_run() {
	local path=$1 who=$2 rxdev txdev txpid rxpid
	rm -f "$T"/*.sock "$T"/cg.* "$T"/run.*
	if [ "$path" = memif ]; then
		txdev="net_memif0,role=server,socket=$T/m.sock,socket-abstract=no"
		rxdev="net_memif0,role=client,socket=$T/m.sock,socket-abstract=no"
	else
		txdev="net_vhost0,iface=$T/v.sock,queues=1"
		rxdev="net_virtio_user0,path=$T/v.sock,queues=1"
	fi
	OUT=$T/run.tx ERR=$T/run.tx.err sb_bg "$B/sb-sender" --cpus 0 --rate 0 --burst 32 --duration $((SECS + 120)) \
		--warmup 1 --window 1 --link-timeout 120 -- $(sb_eal tx "$txdev")
	txpid=$SB_LAST_PID
	# The socket appears at the sender's probe, its port starts later, and a client that connects
	# before that is refused and does not retry.
	for _ in $(seq 100); do [ -S "$T/${path:0:1}.sock" ] && break; sleep 0.1; done
	sleep 2
	if [ "$who" = ours ]; then
		OUT=$T/run.rx ERR=$T/run.rx.err sb_bg valgrind --tool=callgrind --fair-sched=yes --separate-threads=yes --toggle-collect=rx_loop \
			--callgrind-out-file="$T/cg.%p" "$B/sb-receiver" --cpus 1 --burst 32 --duration $((SECS + 120)) \
			--warmup 1 --window 1 --link-timeout 120 -- $(vg_eal rx "$rxdev")
	else
		OUT=$T/run.rx ERR=$T/run.rx.err sb_bg taskset -c 1 valgrind --tool=callgrind --fair-sched=yes --separate-threads=yes \
			--callgrind-out-file="$T/cg.%p" dpdk-testpmd --lcores '0@1,1@1' $(vg_eal rx "$rxdev") \
			-- --forward-mode=rxonly --burst=32 --stats-period 1 --total-num-mbufs 16384 --no-mlockall
	fi
	rxpid=$SB_LAST_PID
	# start-up under valgrind takes seconds: time the run from the receiver's first poll
	if [ "$who" = ours ]; then sb_wait_for "$T/run.rx.err" 'ready:' 120; else sb_wait_for "$T/run.rx" 'Port statistics' 120; fi
	sleep "$SECS"
	# not sb_stop: valgrind can need longer than its grace period to write the profile
	kill -INT "$rxpid"
	wait "$rxpid"
	sb_stop "$txpid"
	sb_dpdk_dirs
	local files=("$T"/cg.*) ir pk
	if [ "$who" = ours ]; then
		ir=$(max_ir "${files[@]}")
		pk=$(jq -r 'select(.schema == "switchbench.io/trial/v1") | .rx.packets' "$T/run.rx" 2>/dev/null | tail -1)
	else
		# thread 1 is testpmd's main thread (EAL start-up, stats printing), not the rx loop
		ir=$(max_ir $(printf '%s\n' "${files[@]}" | grep -v -- '-01$'))
		pk=$(awk '/RX-packets:/ { v = $2 } END { print v }' "$T/run.rx")
	fi
	[ -n "${INSTR_KEEP:-}" ] && mkdir -p "$INSTR_KEEP" && for f in "$T"/run.*; do cp "$f" "$INSTR_KEEP/$path-$who-${f##*/}"; done
	[ -n "$pk" ] && [ "$pk" != null ] && [ "$pk" -gt 0 ] 2>/dev/null || { echo "bench-instr: $who on $path received nothing" >&2; sed 's/^/    /' "$T/run.rx.err" | grep -v '^    ==' | tail -5 >&2; echo "0 0"; return; }
	if [ -n "${INSTR_KEEP:-}" ]; then # for callgrind_annotate
		mkdir -p "$INSTR_KEEP"
		for f in "${files[@]}"; do cp "$f" "$INSTR_KEEP/$path-$who-${f##*/}"; done
	fi
	echo "$ir $pk"
}

printf '%-11s %-30s %-30s %s\n' path "sb-receiver Ir/pkt (packets)" "testpmd rxonly Ir/pkt (packets)" "ratio ours/testpmd"
for path in $PATHS; do
	read -r oi op <<<"$(instr_run "$path" ours)"
	read -r pi pp <<<"$(instr_run "$path" pmd)"
	awk -v p="$path" -v oi="$oi" -v op="$op" -v pi="$pi" -v pp="$pp" 'BEGIN {
		if (!op || !pp) { printf "%-11s no figure (a receiver got nothing)\n", p; exit }
		printf "%-11s %-30s %-30s %.2f\n", p, sprintf("%.1f (%d)", oi / op, op), sprintf("%.1f (%d)", pi / pp, pp), (oi / op) / (pi / pp) }'
done
