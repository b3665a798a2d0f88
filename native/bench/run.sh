#!/usr/bin/env bash
# make bench-native: our sender/receiver against the reference on the same path, interleaved
# (A, B, A, B, ...) in one run so the machine's slow phases hit both alike; reported as ratios
# ours / reference with median, min and max over the rounds. A benchmark, not a test: it prints
# figures and fails only when it cannot run.
#   DPDK paths (memif; vhost-user: virtio-user -> net_vhost): reference dpdk-testpmd txonly -> rxonly.
#     "pair": sb-sender -> sb-receiver vs txonly -> rxonly; "sender": sb-sender -> rxonly vs txonly ->
#     rxonly; "receiver": sb-sender -> sb-receiver vs sb-sender -> rxonly (the same generator feeding
#     both sinks: sb-receiver counts only frames carrying its sequence numbers, not txonly's).
#   Kernel sockets (veth + Linux bridge between namespaces), each Table 1 variant: reference
#     build/sb-sockref (a plain send/recv or sendmmsg/recvmmsg loop).
# Pinning: every sender or generator on CPU 0, every receiver or sink on CPU 1 (sb-* --cpus,
# testpmd --lcores, taskset for sb-sockref). Frames of 64 bytes; bursts of 32 (DPDK, testpmd's
# default) and 64 (sockets, the paper's Table 1). Rate: the receiver's periodic receive rate (ours
# and sb-sockref every second; testpmd every 1-2 s, its stats loop sleeps a second between checks);
# a run's figure is the mean of its periods with traffic, leaving out the first and the last
# (ramp-up, ramp-down). A run without such a period gives no figure (NA) and no ratio.
# Environment: BENCH_ROUNDS (default 7), BENCH_SECONDS per run (default 8), BENCH_ONLY (regex on
# the path names memif, vhost-user, udp-single, udp-mmsg, raw-single, raw-mmsg).
set -u -o pipefail

# shellcheck source=../tools/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/../tools/env.sh"
ROUNDS=${BENCH_ROUNDS:-7}
SECS=${BENCH_SECONDS:-8}
ONLY=${BENCH_ONLY:-.}
B=$SB_BIN
sb_workdir
T=$SB_TMP
RESULTS=$T/results.tsv

why=$(sb_precheck)
[ -z "$why" ] && why=$(sb_hugepages 512)
if [ -n "$why" ]; then
	echo "bench-native: cannot run: $why" >&2
	exit 1
fi

# Mean receive rate of one run from its periodic figures on stdin (one number per line).
figure() {
	awk '$1 > 0 || seen { seen = 1; v[n++] = $1 } END { s = 0; k = 0; for (i = 1; i < n - 1; i++) { s += v[i]; k++ } if (k) printf "%.0f\n", s / k; else print "NA" }'
}
ours_rates() { jq -r 'select(.schema == "switchbench.io/sample/v1") | .pps' "$1"; }
pmd_rates() { awk '/Rx-pps:/ { print $2 }' "$1"; }
ref_rates() { awk '/^pps / { print $2 }' "$1"; }

# --- DPDK: one run = receiver (ours or testpmd rxonly) on CPU 1, sender (ours or txonly) on CPU 0 ---
dpdk_run() { # $1 path (memif|vhost-user), $2 sender (ours|pmd), $3 receiver (ours|pmd)
	local path=$1 tx=$2 rx=$3 rxdev txdev rxpid txpid
	rm -f "$T"/*.sock "$T"/run.*
	if [ "$path" = memif ]; then
		rxdev="net_memif0,role=server,socket=$T/m.sock,socket-abstract=no"
		txdev="net_memif0,role=client,socket=$T/m.sock,socket-abstract=no"
	else
		rxdev="net_vhost0,iface=$T/v.sock,queues=1"
		txdev="net_virtio_user0,path=$T/v.sock,queues=1"
	fi
	if [ "$rx" = ours ]; then
		OUT=$T/run.rx ERR=$T/run.rx.err sb_bg "$B/sb-receiver" --cpus 1 --burst 32 --duration "$SECS" --warmup 2 \
			--window $((SECS - 3)) --grace 1 -- $(sb_eal rx "$rxdev")
		rxpid=$SB_LAST_PID
		sb_wait_for "$T/run.rx.err" 'ready:' 30
	else
		OUT=$T/run.rx ERR=$T/run.rx.err sb_bg dpdk-testpmd --lcores '0@1,1@1' $(sb_eal rx "$rxdev") \
			-- --forward-mode=rxonly --burst=32 --stats-period 1 --total-num-mbufs 32768 --no-mlockall
		rxpid=$SB_LAST_PID
		sb_wait_for "$T/run.rx" 'Port statistics' 30
	fi
	if [ "$tx" = ours ]; then
		"$B/sb-sender" --cpus 0 --rate 0 --burst 32 --duration "$SECS" --warmup 2 --window $((SECS - 3)) \
			-- $(sb_eal tx "$txdev") >"$T/run.tx" 2>"$T/run.tx.err"
	else
		OUT=$T/run.tx ERR=$T/run.tx.err sb_bg dpdk-testpmd --lcores '0@0,1@0' $(sb_eal tx "$txdev") \
			-- --forward-mode=txonly --txpkts=60 --burst=32 --stats-period 1 --total-num-mbufs 32768 --no-mlockall
		txpid=$SB_LAST_PID
		sleep "$SECS"
		sb_stop "$txpid"
	fi
	if [ "$rx" = ours ]; then
		wait "$rxpid"
		ours_rates "$T/run.rx" | figure
	else
		sleep 1
		sb_stop "$rxpid"
		pmd_rates "$T/run.rx" | figure
	fi
	sb_dpdk_dirs
}

# --- kernel sockets: receiver in $NS_B on CPU 1, sender in $NS_A on CPU 0 ---
sock_run() { # $1 backend, $2 batching, $3 ours|ref
	local be=$1 bt=$2 who=$3 rxpid mac
	mac=$(sb_mac "$NS_B" sbtb)
	rm -f "$T"/run.*
	if [ "$who" = ours ]; then
		sb_sock_ours "$be" "$bt" "$SECS" 2 $((SECS - 3)) --burst 64
		ours_rates "$T/run.rx" | figure
	else
		OUT=$T/run.rx ERR=$T/run.rx.err sb_bg ip netns exec "$NS_B" taskset -c 1 "$B/sb-sockref" recv "$be" "$bt" sbtb 5000 64 $((SECS + 2))
		rxpid=$SB_LAST_PID
		sleep 0.5
		ip netns exec "$NS_A" taskset -c 0 "$B/sb-sockref" send "$be" "$bt" sbta 10.99.0.1 "$(sb_mac "$NS_A" sbta)" 10.99.0.2 \
			"$mac" 64 64 "$SECS" >"$T/run.tx" 2>"$T/run.tx.err"
		sb_stop "$rxpid"
		ref_rates "$T/run.rx" | figure
	fi
}

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; } # path, comparison, round, "ours ref"

sb_netns_up || { echo "bench-native: network namespace setup failed" >&2; exit 1; }
echo "bench-native: $ROUNDS rounds x ${SECS}s per run, interleaved; sender CPU 0, receiver CPU 1" >&2
for round in $(seq "$ROUNDS"); do
	for path in memif vhost-user; do
		[[ $path =~ $ONLY ]] || continue
		# Three runs per round serve the three comparisons: A, B, C, then B, C, A, ...
		order=(ref ours mixed ref ours mixed)
		for k in 0 1 2; do
			case ${order[$(((round - 1) % 3 + k))]} in
			ref) ref=$(dpdk_run "$path" pmd pmd) ;;
			ours) pair=$(dpdk_run "$path" ours ours) ;;
			mixed) snd=$(dpdk_run "$path" ours pmd) ;;
			esac
		done
		record "$path" pair "$round" "$pair $ref"
		record "$path" sender "$round" "$snd $ref"
		record "$path" receiver "$round" "$pair $snd"
		echo "  round $round $path: txonly->rxonly $ref, ours->ours $pair, ours->rxonly $snd" >&2
	done
	for variant in "udp single" "udp mmsg" "raw single" "raw mmsg"; do
		read -r be bt <<<"$variant"
		[[ $be-$bt =~ $ONLY ]] || continue
		if [ $((round % 2)) = 1 ]; then a=$(sock_run "$be" "$bt" ours); b=$(sock_run "$be" "$bt" ref)
		else b=$(sock_run "$be" "$bt" ref); a=$(sock_run "$be" "$bt" ours); fi
		record "$be-$bt" pair "$round" "$a $b"
		echo "  round $round $be-$bt: sockref $b, ours $a" >&2
	done
done

# median / min / max of ours, the reference and the per-round ratio, per path and comparison
awk -F'\t' '
function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function stat(a, n,   c, i) { for (i = 1; i <= n; i++) c[i] = a[i]; med(c, n); return c[1] "\t" med(c, n) "\t" c[n] }
{ k = $1 "\t" $2; if (!(k in n)) { order[++keys] = k; n[k] = 0; na[k] = 0 } split($4, v, " ")
  if (v[1] == "NA" || v[2] == "NA" || v[2] == 0) { na[k]++; next }
  i = ++n[k]; o[k, i] = v[1]; r[k, i] = v[2]; q[k, i] = v[1] / v[2] }
END {
	printf "%-11s %-9s %-26s %-26s %s\n", "path", "compare", "ours Mpps med (min-max)", "ref Mpps med (min-max)", "ratio med (min-max) rounds"
	for (x = 1; x <= keys; x++) {
		k = order[x]; m = n[k]
		if (!m) { split(k, kk, "\t"); printf "%-11s %-9s no figures (%d rounds NA)\n", kk[1], kk[2], na[k]; continue }
		for (i = 1; i <= m; i++) { A[i] = o[k, i]; R[i] = r[k, i]; Q[i] = q[k, i] }
		split(stat(A, m), sa, "\t"); split(stat(R, m), sr, "\t"); split(stat(Q, m), sq, "\t")
		split(k, kk, "\t")
		printf "%-11s %-9s %7.3f (%.3f-%.3f)  %7.3f (%.3f-%.3f)  %.2f (%.2f-%.2f) %d%s\n", kk[1], kk[2],
			sa[2] / 1e6, sa[1] / 1e6, sa[3] / 1e6, sr[2] / 1e6, sr[1] / 1e6, sr[3] / 1e6, sq[2], sq[1], sq[3], m,
			na[k] ? " (+" na[k] " NA)" : ""
	}
}' "$RESULTS"
