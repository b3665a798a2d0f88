#!/usr/bin/env bash
# Native test tier (issue 4): sb-sender and sb-receiver move real packets on this machine over
# memif, over vhost-user through dpdk-testpmd, and over kernel sockets between network namespaces
# on a Linux bridge. Asserts correctness only (exact counts, exit codes, schema), never timing:
# the CPUs are shared with other work. One line per test, then "N passed, N failed".
set -u -o pipefail

# shellcheck source=../../native/tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../native/tools/env.sh"
B=$SB_BIN
sb_workdir
T=$SB_TMP
passed=0 failed=0
ERRS=()

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1: $2"; failed=$((failed + 1)); }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

# Adds the jq expression $1 to ERRS unless it holds; $s is the sender's summary, $r the receiver's.
check() {
	jq -en --slurpfile s "$T/s.json" --slurpfile r "$T/r.json" "(\$s[0] // {}) as \$s | (\$r[0] // {}) as \$r | $1" \
		>/dev/null 2>&1 || ERRS+=("$1")
}
check_sh() { eval "$1" >/dev/null 2>&1 || ERRS+=("$1"); }
verdict() {
	if [ ${#ERRS[@]} -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1" "$(printf '[%s] ' "${ERRS[@]}")(sender tx: $(jq -c .tx "$T/s.json" 2>/dev/null)) (receiver loss: $(jq -c .loss "$T/r.json" 2>/dev/null)) (stderr: $(tail -qn2 "$T"/*.err 2>/dev/null | tr '\n' ' ' | cut -c1-400))"
	fi
	ERRS=()
}

# Receiver (RX array) in the background until its ready line, then the sender (TX array) in the
# foreground; both summaries end up in s.json and r.json, exit codes in TX_RC and RX_RC.
run_pair() {
	rm -f "$T"/{tx,rx}.{out,err} "$T"/{s,r}.json "$T/rx.summary"
	OUT=$T/rx.out ERR=$T/rx.err sb_bg $(with_summary "${RX[@]}")
	local rx=$SB_LAST_PID
	sb_wait_for "$T/rx.err" 'ready:' 30 || ERRS+=("receiver never became ready")
	"${TX[@]}" >"$T/tx.out" 2>"$T/tx.err"
	TX_RC=$?
	wait "$rx"
	RX_RC=$?
	collect
}

# The command with --summary-file added before the EAL arguments (none of the words contain spaces).
with_summary() {
	local a done=
	for a in "$@"; do
		[ "$a" = -- ] && [ -z "$done" ] && echo --summary-file "$T/rx.summary" && done=1
		echo "$a"
	done
	[ -n "$done" ] || echo --summary-file "$T/rx.summary"
}

collect() {
	tail -n1 "$T/tx.out" >"$T/s.json" 2>/dev/null
	tail -n1 "$T/rx.out" >"$T/r.json" 2>/dev/null
}

# What every clean low-rate trial must show: every packet accounted for and delivered once, in order.
check_lossless() {
	check_sh "[ $TX_RC = 0 ] && [ $RX_RC = 0 ]"
	check '$s.status == "completed" and $r.status == "completed"'
	check '$r.loss.lost == 0 and $r.loss.reordered == 0 and $r.loss.duplicates == 0 and $r.loss.end_marker'
	check '$s.tx.packets > 0 and $r.loss.received == $s.tx.packets and $r.rx.packets == $s.tx.packets'
	check '$r.tx.packets == $s.tx.packets and $r.loss.expected == $s.tx.packets and $r.loss.ratio == 0'
	check '$r.frame_size == $s.frame_size and $r.latency_ns.count > 0'
	check '$r.latency_ns | .min <= .p50 and .p50 <= .p90 and .p90 <= .p99 and .p99 <= .p999 and .p999 <= .max'
	check_summary_file
}

check_summary_file() {
	check_sh "cmp -s '$T/rx.summary' '$T/r.json' || [ \"\$(cat '$T/rx.summary')\" = \"\$(cat '$T/r.json')\" ]"
	check_sh "[ \$(wc -c <'$T/rx.summary') -le 4096 ]"
}

TIMING=(--duration 3 --warmup 1 --window 1 --sample-interval 0.5)
MEMIF="socket=$T/memif.sock,socket-abstract=no"

memif_pair() { # $1: extra receiver args, $2: extra sender args (words)
	# shellcheck disable=SC2206
	RX=($B/sb-receiver "${TIMING[@]}" $1 -- $(sb_eal rx "net_memif0,role=server,$MEMIF"))
	# shellcheck disable=SC2206
	TX=($B/sb-sender "${TIMING[@]}" $2 -- $(sb_eal tx "net_memif0,role=client,$MEMIF"))
	run_pair
}

# testpmd io-forwarding between two vhost-user ports, on CPU 1 (main and forwarding lcore).
PMD=
start_testpmd() {
	rm -f "$T"/pmd.* "$T"/v?.sock
	OUT=$T/pmd.out ERR=$T/pmd.err sb_bg dpdk-testpmd --lcores '0@1,1@1' \
		$(sb_eal pmd "net_vhost0,iface=$T/v0.sock,queues=1") --vdev "net_vhost1,iface=$T/v1.sock,queues=1" \
		-- --forward-mode=io --stats-period 1 --total-num-mbufs 16384 --max-pkt-len 9000 --mbuf-size 9216
	PMD=$SB_LAST_PID
	sb_wait_for "$T/pmd.out" 'Port statistics' 60
}
stop_testpmd() { sb_stop "$PMD"; }
# testpmd's own count for port $1, field $2 (e.g. TX-dropped), from its closing forward statistics.
pmd_stat() {
	awk -v port="$1" -v f="$2:" '/Forward statistics for port/ {p = ($6 == port)} p { for (i = 1; i < NF; i++) if ($i == f) print $(i+1) }' "$T/pmd.out" | tail -n1
}
VIRTIO() { echo "net_virtio_user0,path=$T/$1.sock,queues=1,queue_size=1024"; }

# --- preconditions -----------------------------------------------------------------------------------
why=$(sb_precheck)
[ -z "$why" ] && why=$(sb_hugepages 512)
if [ -n "$why" ]; then
	echo "test/native: cannot run: $why" >&2
	not_ok "native tier preconditions" "$why"
	finish
fi

# --- unit tests of the C helpers -----------------------------------------------------------------------
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "unit: ${line#ok - }" ;;
	"not ok - "*) not_ok "unit: ${line#not ok - }" "see above" ;;
	esac
done < <("$B/sb-unit")

# --- memif -----------------------------------------------------------------------------------------------
# The receiver busy-polls CPU 1 in dedicated mode (and must report exactly that CPU); the sender
# sleeps between bursts in shared mode.
RX_PIN=(taskset -c 1)
# shellcheck disable=SC2206
RX=("${RX_PIN[@]}" $B/sb-receiver "${TIMING[@]}" -- $(sb_eal rx "net_memif0,role=server,$MEMIF"))
# shellcheck disable=SC2206
TX=($B/sb-sender "${TIMING[@]}" --rate 10000 --cpu-mode shared -- $(sb_eal tx "net_memif0,role=client,$MEMIF"))
run_pair
check_lossless
check '$r.cpus == "1" and $r.allowed_cpus == "1" and $r.cpu_mode == "dedicated" and $s.cpu_mode == "shared"'
check '$r.schema == "switchbench.io/trial/v1" and $s.schema == "switchbench.io/trial/v1" and $r.role == "receiver"'
check '$r.rx.samples == 2 and $s.tx.samples == 2 and $r.rx.pps_mean > 0 and $s.tx.generator_limited != null'
check_sh "jq -es 'length >= 6 and (.[:-1] | all(.schema == \"switchbench.io/sample/v1\" and (.pps | type) == \"number\"))' '$T/rx.out'"
check_sh "jq -es '.[:-1] | all(.role == \"sender\" and .failures >= 0)' '$T/tx.out'"
verdict "memif: sender -> receiver at 10 kpps, every packet arrives once and in order"

memif_pair "--cpu-mode shared" "--cpu-mode shared --rate 10000 --size 1518 --burst 1"
check_lossless
check '$r.frame_size == 1518 and $s.burst == 1'
verdict "memif: 1518-byte frames, burst 1"

# Both programs on CPU 0, the sender unpaced and busy: the receiver only runs when the scheduler
# takes the CPU from the sender, so the ring fills. That is the generator failing to offer the rate
# (tx failures, missed slots), never loss: memif applies back-pressure.
# shellcheck disable=SC2206
RX=(taskset -c 0 $B/sb-receiver "${TIMING[@]}" --cpu-mode shared -- $(sb_eal rx "net_memif0,role=server,$MEMIF"))
# shellcheck disable=SC2206
TX=(taskset -c 0 $B/sb-sender "${TIMING[@]}" --rate 1e9 -- $(sb_eal tx "net_memif0,role=client,$MEMIF"))
run_pair
check_sh "[ $TX_RC = 0 ] && [ $RX_RC = 0 ]"
check '$s.tx.generator_limited and $r.tx.generator_limited and $s.tx.packets < $s.tx.scheduled'
check '$s.tx.failures > 0 and $r.tx.failures == $s.tx.failures and $s.tx.missed_slots > 0'
check '$r.loss.lost == 0 and $r.loss.received == $s.tx.packets'
verdict "memif: a generator shortfall (ring full, missed slots) is reported as such, not as loss"

# --- vhost-user through testpmd --------------------------------------------------------------------------
vhost_pair() { # $1: extra sender args
	start_testpmd || ERRS+=("testpmd did not start")
	# shellcheck disable=SC2206
	RX=($B/sb-receiver "${TIMING[@]}" --cpu-mode shared -- $(sb_eal rx "$(VIRTIO v1)"))
	# shellcheck disable=SC2206
	TX=($B/sb-sender "${TIMING[@]}" --cpu-mode shared $1 -- $(sb_eal tx "$(VIRTIO v0)"))
	run_pair
	stop_testpmd
}

# What virtio-user told testpmd: one memory table per connection, the programs having reserved all
# their memory before their ports were probed (a second table reaches a switch while it serves the
# rings), and no program saw its memory grow afterwards. $1, $2: connections to v0 (the senders')
# and v1 (the receiver's), one each unless given.
check_one_memory_table() {
	local sock count
	for sock in v0 v1; do
		count=${1:-1}
		[ $sock = v0 ] || count=${2:-1}
		check_sh "[ \$(cat '$T/pmd.out' '$T/pmd.err' | grep -c '($T/$sock.sock) read message VHOST_USER_SET_MEM_TABLE') = $count ]"
	done
	check_sh "! grep -q 'memory grew' '$T'/*.err"
}

# The sender's probes: more than its 1024-entry ring holds before the trial, each carried by testpmd
# to the receiver, which sets them apart (not foreign, not data).
check_probes() {
	check '$s.tx.probes > 1024 and $r.rx.probes == $s.tx.probes and $r.loss.foreign == 0'
}

# 5 kpps: the receiver's 1024-entry virtio ring then holds 200 ms, however long a loaded machine
# keeps the sleeping receiver off the CPU.
vhost_pair "--rate 5000"
check_lossless
check_probes
check_one_memory_table
check_sh "[ '$(pmd_stat 1 TX-dropped)' = 0 ]"
verdict "vhost-user: virtio-user -> testpmd io -> virtio-user at 5 kpps, every packet arrives"

vhost_pair "--rate 5000 --size 9000"
check_lossless
check_probes
check_one_memory_table
check '$r.frame_size == 9000'
verdict "vhost-user: 9000-byte jumbo frames"

# The sender starts first: until the receiver's virtio-user port connects, testpmd cannot deliver.
# The receiver's count of lost frames must be exactly what testpmd says it dropped, but for the
# sender's probes (sent before the trial, dropped the same way).
start_testpmd || ERRS+=("testpmd did not start")
rm -f "$T"/{tx,rx}.{out,err}
OUT=$T/tx.out ERR=$T/tx.err sb_bg $B/sb-sender "${TIMING[@]}" --cpu-mode shared --rate 10000 -- $(sb_eal tx "$(VIRTIO v0)")
txpid=$SB_LAST_PID
sleep 1.5
OUT=$T/rx.out ERR=$T/rx.err sb_bg $B/sb-receiver "${TIMING[@]}" --cpu-mode shared -- $(sb_eal rx "$(VIRTIO v1)")
rxpid=$SB_LAST_PID
wait "$txpid"; TX_RC=$?
wait "$rxpid"; RX_RC=$?
stop_testpmd
collect
dropped=$(pmd_stat 1 TX-dropped)
check_sh "[ $TX_RC = 0 ] && [ $RX_RC = 0 ]"
check '$r.loss.end_marker and $r.loss.lost > 0 and $r.loss.lost == $s.tx.packets - $r.loss.received'
check "\$r.loss.lost + \$s.tx.probes - \$r.rx.probes == ${dropped:--1} and \$r.loss.reordered == 0 and \$r.loss.duplicates == 0"
check '($r.loss.ratio - $r.loss.lost / $r.loss.expected | fabs) < 1e-9'
verdict "vhost-user: a receiver started late counts exactly the frames testpmd dropped (${dropped:-?}, probes included)"

# A switch may still hold frames of the trial before, or forward them late (VPP did, after a memory
# table arrived mid-trial); the operator gives every trial and attempt its own destination port. A
# sender of another trial (port 5016) goes first through the same testpmd port, then this trial's
# (5032): the receiver counts the other's frames, probes and end markers as foreign, and its own
# trial exactly.
start_testpmd || ERRS+=("testpmd did not start")
rm -f "$T"/{tx,rx,old}.{out,err} "$T"/{s,r,old}.json "$T/rx.summary"
OUT=$T/rx.out ERR=$T/rx.err sb_bg $(with_summary $B/sb-receiver "${TIMING[@]}" --cpu-mode shared --dst-port 5032 -- $(sb_eal rx "$(VIRTIO v1)"))
rxpid=$SB_LAST_PID
sb_wait_for "$T/rx.err" 'ready:' 30 || ERRS+=("receiver never became ready")
$B/sb-sender --duration 1 --warmup 0.5 --window 0.5 --sample-interval 0.5 --cpu-mode shared --rate 5000 --dst-port 5016 \
	-- $(sb_eal old "$(VIRTIO v0)") >"$T/old.out" 2>"$T/old.err"
OLD_RC=$?
tail -n1 "$T/old.out" >"$T/old.json"
$B/sb-sender "${TIMING[@]}" --cpu-mode shared --rate 5000 --dst-port 5032 -- $(sb_eal tx "$(VIRTIO v0)") >"$T/tx.out" 2>"$T/tx.err"
TX_RC=$?
wait "$rxpid"; RX_RC=$?
stop_testpmd
collect
old=$(jq -r '"\(.tx.packets) \(.tx.probes)"' "$T/old.json" 2>/dev/null)
read -r old_packets old_probes <<<"${old:-0 0}"
check_sh "[ $OLD_RC = 0 ]"
check_lossless
check_one_memory_table 2 1
check "$old_packets > 0 and \$r.loss.foreign >= $old_packets + $old_probes and \$r.loss.foreign <= $old_packets + $old_probes + 3"
check '$r.rx.probes == $s.tx.probes'
verdict "receiver: frames, probes and end markers of another trial's sender ($old_packets + $old_probes probes) are foreign; its own trial is exact"

# --- kernel sockets between network namespaces -----------------------------------------------------------
if ! sb_netns_up; then
	not_ok "kernel: network namespaces on bridge sbtbr0" "ip netns/veth/bridge setup failed"
	finish
fi
NSA=(ip netns exec "$NS_A")
NSB=(ip netns exec "$NS_B")
for variant in "udp single" "udp mmsg" "raw single" "raw mmsg"; do
	read -r backend batching <<<"$variant"
	RX=("${NSB[@]}" $B/sb-receiver --backend "$backend" --batching "$batching" --iface sbtb "${TIMING[@]}" --cpu-mode shared)
	TX=("${NSA[@]}" $B/sb-sender --backend "$backend" --batching "$batching" --iface sbta --dst-ip 10.99.0.2
		--rate 10000 "${TIMING[@]}" --cpu-mode shared)
	[ "$backend" = raw ] && TX+=(--dst-mac "$(sb_mac "$NS_B" sbtb)")
	run_pair
	check_lossless
	check "\$r.backend == \"$backend\" and \$r.batching == \"$batching\" and \$r.loss.foreign == 0"
	verdict "kernel: $backend sockets, $batching, veth + Linux bridge between namespaces, every packet arrives"
done

# Routed, as between pods on two nodes: the router takes only frames addressed to it, so the raw
# sender resolves its MAC (--dst-mac resolve) and the router forwards them to the receiver's subnet.
if sb_routed_up; then
	for batching in single mmsg; do
		RX=(ip netns exec "$NS_C" $B/sb-receiver --backend raw --batching "$batching" --iface sbtc "${TIMING[@]}" --cpu-mode shared)
		TX=("${NSA[@]}" $B/sb-sender --backend raw --batching "$batching" --iface sbta --dst-ip 10.99.1.2
			--dst-mac resolve --rate 10000 "${TIMING[@]}" --cpu-mode shared)
		run_pair
		check_lossless
		check '$r.loss.foreign == 0'
		verdict "kernel: raw sockets, $batching, through a router with --dst-mac resolve, every packet arrives"
	done
	# Without it the broadcast frames stop at the router.
	TX=("${NSA[@]}" $B/sb-sender --backend raw --iface sbta --dst-ip 10.99.1.2 --rate 10000 "${TIMING[@]}" --cpu-mode shared)
	RX=(ip netns exec "$NS_C" $B/sb-receiver --backend raw --iface sbtc "${TIMING[@]}" --cpu-mode shared --start-timeout 3)
	run_pair
	check "\$s.tx.packets > 0 and (\$r.rx.packets // 0) == 0"
	verdict "kernel: raw broadcast frames are not routed (why --dst-mac resolve exists)"
else
	not_ok "kernel: a router between namespaces" "ip netns/veth/route setup failed"
fi

# An unpaced sender against a receiver that sleeps and has a 64 KiB socket buffer: the socket
# overflows. Loss from sequence numbers is exactly sent - received; the kernel's drop count for the
# socket accounts for it (all of it unless a loaded machine also deferred softirqs long enough for
# the backlog queue to overflow, which the socket never sees). The socket drops the sender's spare
# end-marker copies alike, which are control frames, not data: the drop count may exceed the data
# lost by as many copies as never arrived (seen: 137427 dropped for 137426 lost, 3 copies sent, 2 read).
RX=("${NSB[@]}" $B/sb-receiver --backend udp --iface sbtb "${TIMING[@]}" --cpu-mode shared --sock-buf 65536)
TX=("${NSA[@]}" $B/sb-sender --backend udp --iface sbta --dst-ip 10.99.0.2 --rate 0 "${TIMING[@]}")
run_pair
check_sh "[ $TX_RC = 0 ] && [ $RX_RC = 0 ]"
check '$r.loss.lost > 0 and $r.loss.lost == $s.tx.packets - $r.loss.received and $r.loss.end_marker'
check '$r.loss.local_drops > 0 and $r.loss.local_drops <= $r.loss.lost + $s.tx.end_markers - $r.rx.end_markers and $r.loss.duplicates == 0'
verdict "kernel: overload loss is counted exactly: $(jq -r '"\(.loss.lost) lost, \(.loss.local_drops) of them dropped at the socket per the kernel"' "$T/r.json" 2>/dev/null)"

# --- signals, timeouts, CPUs ------------------------------------------------------------------------------
RX=("${NSB[@]}" $B/sb-receiver --backend udp --iface sbtb --duration 30 --warmup 1 --window 2 --cpu-mode shared)
TX=("${NSA[@]}" $B/sb-sender --backend udp --iface sbta --dst-ip 10.99.0.2 --rate 5000 --duration 30 --warmup 1 --window 2 --cpu-mode shared)
rm -f "$T"/{tx,rx}.{out,err} "$T/rx.summary"
OUT=$T/rx.out ERR=$T/rx.err sb_bg $(with_summary "${RX[@]}")
rxpid=$SB_LAST_PID
sb_wait_for "$T/rx.err" 'ready:' 30
OUT=$T/tx.out ERR=$T/tx.err sb_bg "${TX[@]}"
txpid=$SB_LAST_PID
sleep 1.5
kill -TERM "$txpid"
wait "$txpid"; TX_RC=$?
wait "$rxpid"; RX_RC=$?
collect
check_sh "[ $TX_RC = 4 ] && [ $RX_RC = 0 ]"
check '$s.status == "interrupted" and $s.tx.end_marker_sent and $r.status == "completed"'
check '$r.loss.lost == 0 and $r.loss.received == $s.tx.packets and $r.tx.packets == $s.tx.packets'
check_summary_file
verdict "SIGTERM: the sender stops, exits 4, and its end marker still completes the receiver's count"

rm -f "$T"/{tx,rx}.{out,err} "$T/rx.summary" "$T/s.json"
OUT=$T/rx.out ERR=$T/rx.err sb_bg "${NSB[@]}" $B/sb-receiver --backend udp --iface sbtb --cpu-mode shared --summary-file "$T/rx.summary"
rxpid=$SB_LAST_PID
sb_wait_for "$T/rx.err" 'ready:' 30
kill -TERM "$rxpid"
wait "$rxpid"; RX_RC=$?
collect
check_sh "[ $RX_RC = 4 ]"
check '$r.status == "interrupted" and $r.loss.received == 0 and $r.latency_ns.p50 == null'
check_summary_file
verdict "SIGTERM: an idle receiver exits 4 with an interrupted summary"

rm -f "$T"/{tx,rx}.{out,err} "$T/rx.summary"
"${NSB[@]}" $B/sb-receiver --backend raw --iface sbtb --start-timeout 1 --cpu-mode shared --summary-file "$T/rx.summary" >"$T/rx.out" 2>"$T/rx.err"
RX_RC=$?
collect
check_sh "[ $RX_RC = 5 ]"
check '$r.status == "no-traffic" and $r.tx == null and $r.rx.samples == 0'
verdict "no traffic within --start-timeout: exit 5 with a no-traffic summary"

# make bench-cluster's probe: a cache line handed between two CPUs, one line of three times.
last_cpu=$(($(nproc) - 1))
probe=$($B/sb-cacheline 0 "$last_cpu" 20 2>"$T/cacheline.err")
PROBE_RC=$?
check_sh "[ $PROBE_RC = 0 ] && [ ! -s $T/cacheline.err ]"
check_sh "echo '$probe' | awk 'NF == 4 && \$1 == \"round-trip-ns\" && \$3 > 0 && \$3 <= \$2 && \$2 <= \$4 { ok = 1 } END { exit !ok }'"
verdict "sb-cacheline: median, min and max round trip between CPU 0 and CPU $last_cpu, min <= median <= max"

# --- bad arguments: one line naming the argument, non-zero exit --------------------------------------------
bad() { # $1 expected exit code, $2 text the error must contain, rest: command
	local code=$1 text=$2 rc lines
	shift 2
	local prog a
	# The program is the first sb-* word: commands may start with taskset or env.
	for a in "$@"; do
		case $a in */sb-*) prog=$a && break ;; esac
	done
	"$@" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	# DPDK drivers may log before the check that fails; ours is the one line naming the program.
	lines=$(grep -c "^${prog##*/}: " "$T/bad.err")
	if [ "$rc" = "$code" ] && [ "$lines" = 1 ] && tail -n1 "$T/bad.err" | grep -qF -- "$text" && [ ! -s "$T/bad.out" ]; then
		ok "bad arguments: $text -> exit $code: $(tail -n1 "$T/bad.err")"
	else
		not_ok "bad arguments: $text" "exit $rc (want $code), $lines line(s): $(tr '\n' ' ' <"$T/bad.err" | cut -c1-300)"
	fi
}
bad 2 "--size 10" $B/sb-sender --size 10 --rate 1000
bad 2 "--burst 0" $B/sb-sender --burst 0 --rate 1000
bad 2 "--rate -1" $B/sb-sender --rate -1
bad 2 "--burst 0" $B/sb-receiver --burst 0
bad 2 "--warmup 5" $B/sb-receiver --duration 5 --warmup 5
bad 2 "--frobnicate" $B/sb-receiver --frobnicate 1
bad 2 "--dst-ip" $B/sb-sender --backend udp --iface sbta --rate 1000
bad 2 "--cpus 0" taskset -c 1 $B/sb-receiver --cpus 0
bad 3 "--iface sbtnope" $B/sb-sender --backend udp --iface sbtnope --dst-ip 10.99.0.2 --rate 1000
bad 3 "--iface sbtnope" $B/sb-receiver --backend raw --iface sbtnope
bad 3 "$T/none.sock" $B/sb-sender --rate 1000 --link-timeout 1 -- $(sb_eal bad "net_virtio_user0,path=$T/none.sock")
bad 2 "--size 9000" $B/sb-sender --size 9000 --rate 1000 --link-timeout 1 -- $(sb_eal bad "net_memif0,role=server,socket=$T/bad.sock,socket-abstract=no")
bad 2 "usage: sb-cacheline CPU_A CPU_B" $B/sb-cacheline 0
bad 2 "MILLISECONDS must be 1..10000" $B/sb-cacheline 0 0 0
bad 1 "cannot run on CPU 4096" $B/sb-cacheline 0 4096 1
# SR-IOV: the VF's PCI address comes from the device plugin's variable, checked before EAL probes it.
bad 2 "--pci-from-env x-y" $B/sb-receiver --pci-from-env x-y
bad 2 "--pci-from-env: only with --backend dpdk" $B/sb-receiver --backend udp --iface lo --pci-from-env PCIDEVICE_SB_TEST
bad 3 "--pci-from-env PCIDEVICE_SB_TEST: the variable is not set" env -u PCIDEVICE_SB_TEST $B/sb-receiver --pci-from-env PCIDEVICE_SB_TEST -- --in-memory --file-prefix sbtpci
bad 3 "\"0000:ff:1f.0;x\" is not a PCI address" env PCIDEVICE_SB_TEST='0000:ff:1f.0;x' $B/sb-receiver --pci-from-env PCIDEVICE_SB_TEST -- --in-memory --file-prefix sbtpci
# An address no device has: EAL starts, probes nothing, and the program says which device is missing.
bad 3 "--pci-from-env PCIDEVICE_SB_TEST=0000:ff:1f.0,0000:ff:1f.1: DPDK found no port on it" env PCIDEVICE_SB_TEST=0000:ff:1f.0,0000:ff:1f.1 $B/sb-sender --rate 1000 --pci-from-env PCIDEVICE_SB_TEST -- --in-memory --file-prefix sbtpci

finish
