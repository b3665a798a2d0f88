# Shell environment shared by the native test tier (test/native/run.sh) and the benchmark
# (native/bench/run.sh): hugepages, private network namespaces, DPDK arguments and the processes
# they start. Everything is named sbt*, and only processes started here are ever signalled.

SB_NATIVE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SB_BIN=$SB_NATIVE/build
SB_PIDS=()
SB_LAST_PID=
SB_RX_EXTRA=() SB_TX_EXTRA=()
# Names carry the shell's PID: a test tier and a benchmark (or two developers' make test) may run at
# once on one machine, and must not delete each other's namespaces.
SB_ID=$$
NS_A=sbt$SB_ID-a
NS_B=sbt$SB_ID-b
NS_BR=sbt$SB_ID-br
# Beyond a router ($NS_BR, once sb_routed_up has run): a receiver on another subnet.
NS_C=sbt$SB_ID-c
SB_NETNS=("$NS_A" "$NS_B" "$NS_BR" "$NS_C")

# Creates the work directory $SB_TMP, and arranges that on exit, even a failed or interrupted one,
# every process started here is stopped, the namespaces are removed and the directory is deleted.
sb_workdir() {
	SB_TMP=$(mktemp -d /tmp/sbt.XXXXXX)
	trap 'sb_stop_all; sb_netns_down; rm -rf "$SB_TMP"' EXIT
	trap 'exit 130' INT TERM
}

# Prints why this machine cannot run DPDK programs, or nothing.
sb_precheck() {
	[ "$(id -u)" = 0 ] || { echo "must run as root (hugepages, network namespaces, raw sockets)"; return; }
	command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd missing (make -C native installs it)"; return; }
	command -v jq >/dev/null || { echo "jq missing (apt-get install -y jq)"; return; }
	for p in sb-sender sb-receiver sb-unit sb-sockref; do
		[ -x "$SB_BIN/$p" ] || { echo "$SB_BIN/$p missing: run make -C native"; return; }
	done
}

# Makes at least $1 free 2 MiB hugepages available. Another engineer's kubelet uses hugepages on this
# machine too, so the pool is only ever raised, never lowered. Prints why when it cannot.
sb_hugepages() {
	local need=$1 d=/sys/kernel/mm/hugepages/hugepages-2048kB total free
	[ -d "$d" ] || { echo "no 2 MiB hugepage support in this kernel"; return; }
	total=$(cat "$d/nr_hugepages") free=$(cat "$d/free_hugepages")
	if [ "$free" -lt "$need" ]; then
		echo $((total + need - free)) >"$d/nr_hugepages" 2>/dev/null
		free=$(cat "$d/free_hugepages")
		[ "$free" -ge "$need" ] || echo "only $free free 2 MiB hugepages after raising nr_hugepages (need $need): memory too fragmented or too small"
	fi
}

# EAL arguments of one DPDK process named $1 with port $2: --in-memory leaves no hugepage files or
# runtime state behind, --single-file-segments keeps vhost-user within its 8 memory regions with
# 2 MiB pages.
sb_eal() {
	echo --no-pci --in-memory --single-file-segments --file-prefix "sbt$SB_ID-$1" --vdev "$2"
}

# Runs "$@" in the background with stdout to $OUT and stderr to $ERR (set by the caller).
sb_bg() {
	"$@" >"$OUT" 2>"$ERR" &
	SB_LAST_PID=$!
	SB_PIDS+=("$!")
}

# Waits up to $3 seconds for the regex $2 in file $1.
sb_wait_for() {
	local until=$((SECONDS + $3))
	while [ "$SECONDS" -le "$until" ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Stops $1 (a PID started here) with SIGINT, then SIGKILL after 5 s, and reaps it.
sb_stop() {
	local pid=$1 i
	kill -INT "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# Stops every process started here, then removes the empty runtime directories DPDK creates even
# with --in-memory.
sb_stop_all() {
	local pid
	for pid in "${SB_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && sb_stop "$pid"; done
	SB_PIDS=()
	sb_dpdk_dirs
}

sb_dpdk_dirs() {
	rmdir "/run/dpdk/sbt$SB_ID-"* 2>/dev/null
	return 0
}

# Two namespaces $NS_A (10.99.0.1 on sbta) and $NS_B (10.99.0.2 on sbtb), each with a veth to the
# Linux bridge sbtbr0 inside a third namespace $NS_BR: nothing touches the host's network namespace.
sb_netns_up() {
	sb_netns_down
	local n
	for n in "${SB_NETNS[@]}"; do
		ip netns add "$n" || return 1
		ip -n "$n" link set lo up
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n "$NS_BR" link add sbtbr0 type bridge && ip -n "$NS_BR" link set sbtbr0 up || return 1
	local side addr ns
	for side in a b; do
		addr=10.99.0.$([ $side = a ] && echo 1 || echo 2)
		ns=sbt$SB_ID-$side
		ip -n "$NS_BR" link add "sbtp$side" type veth peer name "sbt$side" netns "$ns" || return 1
		ip -n "$NS_BR" link set "sbtp$side" master sbtbr0 up
		ip -n "$ns" addr add "$addr/24" dev "sbt$side"
		ip -n "$ns" link set "sbt$side" up
	done
}

# $NS_BR routes between the bridge's subnet (10.99.0.254) and $NS_C's (10.99.1.0/24, receiver
# 10.99.1.2 on sbtc), and $NS_A sends there through it: pods on two nodes of a routed pod network.
# Kept out of sb_netns_up: an address on the bridge gives its broadcast frames work to do.
sb_routed_up() {
	ip -n "$NS_BR" addr add 10.99.0.254/24 dev sbtbr0 &&
		ip -n "$NS_BR" link add sbtpc type veth peer name sbtc netns "$NS_C" &&
		ip -n "$NS_BR" addr add 10.99.1.1/24 dev sbtpc && ip -n "$NS_BR" link set sbtpc up &&
		ip -n "$NS_C" addr add 10.99.1.2/24 dev sbtc && ip -n "$NS_C" link set sbtc up &&
		ip netns exec "$NS_BR" sysctl -qw net.ipv4.conf.all.forwarding=1 &&
		ip -n "$NS_A" route add 10.99.1.0/24 via 10.99.0.254
}

sb_netns_down() {
	local n
	for n in "${SB_NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	return 0
}

# Our sender in $NS_A on CPU 0 and receiver in $NS_B on CPU 1 over the bridge, unpaced, both busy
# polling: $1 backend (udp|raw), $2 batching (single|mmsg), $3 seconds, $4 warm-up, $5 window,
# then arguments for both programs (--burst). The receiver's samples go to $SB_TMP/run.rx;
# SB_RX_EXTRA and SB_TX_EXTRA (arrays) add receiver and sender arguments (--size is the sender's).
# Returns the receiver's exit status.
sb_sock_ours() {
	local be=$1 bt=$2 secs=$3 warmup=$4 window=$5 rxpid dst=()
	shift 5
	rm -f "$SB_TMP"/run.*
	OUT=$SB_TMP/run.rx ERR=$SB_TMP/run.rx.err sb_bg ip netns exec "$NS_B" "$SB_BIN/sb-receiver" --backend "$be" \
		--batching "$bt" --iface sbtb --cpus 1 --duration "$secs" --warmup "$warmup" --window "$window" "$@" \
		"${SB_RX_EXTRA[@]}"
	rxpid=$SB_LAST_PID
	sb_wait_for "$SB_TMP/run.rx.err" 'ready:' 30
	[ "$be" = raw ] && dst=(--dst-mac "$(sb_mac "$NS_B" sbtb)")
	ip netns exec "$NS_A" "$SB_BIN/sb-sender" --backend "$be" --batching "$bt" --iface sbta --dst-ip 10.99.0.2 \
		"${dst[@]}" --cpus 0 --rate 0 --duration "$secs" --warmup "$warmup" --window "$window" "$@" \
		"${SB_TX_EXTRA[@]}" >"$SB_TMP/run.tx" 2>"$SB_TMP/run.tx.err"
	wait "$rxpid"
}

sb_mac() {
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}
