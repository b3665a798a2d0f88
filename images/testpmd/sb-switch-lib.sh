# shellcheck shell=bash
# Shared by every switch image's entrypoint (sb-switch-testpmd, -ovs, -vpp, -snabb); it lives with
# testpmd, the first of them, and each Dockerfile installs it as
# /usr/local/lib/switchbench/sb-switch-lib.sh. It checks arguments, reads the container's CPUs and
# supervises the switch's processes so that SIGTERM stops them and leaves no socket, process or
# runtime file behind (docs/switches.md).

SB_NAME=${0##*/}
log() { printf '%s: %s\n' "$SB_NAME" "$*" >&2; }
die() {
  log "$*"
  exit 2
}

# The operator builds every argument from a validated spec; these checks make sure nothing else
# reaches a command line or a configuration file even if an entrypoint is started by hand.
need_value() { [[ -n ${2-} ]] || die "$1: missing value"; }
need_uint() { # NAME VALUE MIN MAX
  need_value "$1" "${2-}"
  if ! [[ $2 =~ ^[0-9]{1,9}$ ]] || (($2 < $3 || $2 > $4)); then die "$1 $2: must be an integer from $3 to $4"; fi
}
need_socket() { # NAME VALUE: a socket in the run directory, as the drivers name them
  need_value "$1" "${2-}"
  [[ $2 =~ ^/run/switchbench/[a-z][a-z0-9-]{0,31}\.sock$ ]] || die "$1 $2: not a socket of the run directory"
}
need_config() { # NAME VALUE: a file of the switch's ConfigMap
  need_value "$1" "${2-}"
  [[ $2 =~ ^/etc/switchbench/[A-Za-z0-9._-]+$ && -f $2 ]] || die "$1 $2: not a file in /etc/switchbench"
}
need_dir() { # NAME VALUE: an existing, writable directory with a plain absolute path
  need_value "$1" "${2-}"
  [[ $2 =~ ^(/[A-Za-z0-9._-]+)+$ && -d $2 && -w $2 ]] || die "$1 $2: not a writable directory"
}
need_mac() {
  need_value "$1" "${2-}"
  [[ $2 =~ ^[0-9a-f]{2}(:[0-9a-f]{2}){5}$ ]] || die "$1 $2: not a MAC address"
}

# The state directory (a memory emptyDir) holds what the switch writes: the root filesystem is
# read-only, and the images link /tmp to $STATE/tmp for programs that insist on a temporary file.
use_state_dir_tmp() { mkdir -p "$1/tmp"; }

# The CPUs this container may run on, one per line: under the kubelet's static CPU manager, the
# exclusive cores it was given (Cpus_allowed_list, which the cpuset cgroup sets).
allowed_cpus() {
  local list item
  list=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status)
  for item in ${list//,/ }; do
    if [[ $item == *-* ]]; then seq "${item%-*}" "${item#*-}"; else echo "$item"; fi
  done
}

# A hex CPU mask of the given CPUs, nibble by nibble: OVS masks may exceed 64 bits.
cpu_mask() {
  local -a nibbles=()
  local cpu i top=0 mask=''
  for cpu in "$@"; do
    i=$((cpu / 4))
    nibbles[i]=$((${nibbles[i]:-0} | 1 << (cpu % 4)))
    ((i > top)) && top=$i
  done
  for ((i = top; i >= 0; i--)); do mask+=$(printf '%x' "${nibbles[i]:-0}"); done
  echo "0x$mask"
}

cpu_list() {
  local IFS=,
  echo "$*"
}

# Waits up to 30 s for a process of ours to create a Unix socket (daemons create them after start).
wait_socket() {
  local deadline=$((SECONDS + 30))
  until [[ -S $1 ]]; do
    ((SECONDS < deadline)) || die "$1 did not appear within 30 s"
    any_running || die "$1: the process that should create it exited"
    sleep 0.1
  done
}

# Supervision. An entrypoint calls `supervise_init STOP CLEANUP` before it starts anything (so a
# SIGTERM during start-up is not lost, and a failed start-up still cleans up), starts its processes
# with `spawn` and ends with `supervise`: it waits until a signal arrives or a process exits, calls
# STOP (the switch's graceful stop), terminates what is left, calls CLEANUP and exits: 0 after a
# signal, non-zero when the switch died by itself.
SB_PIDS=()
SB_SIGNALLED=''
SB_STOP=true
SB_CLEANUP=true

supervise_init() { # STOP CLEANUP
  SB_STOP=$1 SB_CLEANUP=$2
  lock_run_dir
  trap 'SB_SIGNALLED=1' TERM INT
  trap startup_failed EXIT
}

# One switch per run directory at a time. A switch pod deleted with grace period 0 is gone from the
# API while its container is still stopping, and the operator starts the next one at once: the old
# switch's stop would then remove the new one's sockets (a vhost-user server unlinks its path when it
# closes). The lock is on the directory itself, so it leaves no file behind, and every process the
# entrypoint starts inherits it: it is free only when the last of them is gone.
SB_RUN_DIR=/run/switchbench
SB_LOCK_WAIT=60
lock_run_dir() {
  exec {SB_LOCK_FD}<"$SB_RUN_DIR" || die "$SB_RUN_DIR: cannot open the run directory"
  flock -n "$SB_LOCK_FD" && return 0
  log "a previous switch still holds $SB_RUN_DIR: waiting for it to stop"
  flock -w "$SB_LOCK_WAIT" "$SB_LOCK_FD" || die "$SB_RUN_DIR: still held by a previous switch after $SB_LOCK_WAIT s"
  log "the previous switch stopped: starting"
}

startup_failed() {
  local status=$?
  trap - EXIT
  log "start-up failed (status $status): stopping"
  terminate_all
  "$SB_CLEANUP"
  exit "$((status ? status : 1))"
}

spawn() {
  "$@" &
  SB_PIDS+=($!)
}

# True while the process runs; a zombie (exited, not yet reaped) does not count.
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

any_running() {
  local pid
  for pid in "${SB_PIDS[@]}"; do running "$pid" && return 0; done
  return 1
}

# SIGTERM to every process still running, SIGKILL to what is left after 5 s, then reap them all.
terminate_all() {
  local pid deadline=$((SECONDS + 5))
  for pid in "${SB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  while any_running && ((SECONDS < deadline)); do sleep 0.1; done
  for pid in "${SB_PIDS[@]}"; do
    running "$pid" && log "process $pid ignored SIGTERM: killing it" && kill -KILL "$pid" 2>/dev/null
  done
  wait "${SB_PIDS[@]}" 2>/dev/null || true
}

supervise() {
  local status=0
  [[ -n $SB_SIGNALLED ]] || wait -n "${SB_PIDS[@]}" || status=$?
  trap - EXIT
  if [[ -n $SB_SIGNALLED ]]; then
    log 'signal received: stopping the switch'
    status=0
  else
    log "a switch process exited with status $status: stopping the others"
    ((status != 0)) || status=1
  fi
  "$SB_STOP" || log 'graceful stop failed: terminating the processes'
  terminate_all
  "$SB_CLEANUP"
  log 'stopped'
  exit "$status"
}

# Port counters on request, so the operator can say where a trial's frames were lost
# (docs/switches.md, "Port counters"). Each traffic program creates $SB_COUNTERS_DIR/TAG.request
# before its trial and again after it, and reads its own port's counters from the answer: the
# switch writes TAG.answer, one line, atomically:
#   switchbench-counters/v1 SOURCE IN_RX IN_DROPPED OUT_TX OUT_DROPPED cpus=LIST
# where IN_RX counts frames the switch took from the sender's port, IN_DROPPED frames it dropped
# receiving there, OUT_TX frames it put into the receiver's ring and OUT_DROPPED frames that ring
# refused, all cumulative since the switch started, "-" for a counter it cannot read (a port whose
# peer is not connected), and LIST the CPUs the switch's container may run on, as a Linux cpu list
# ("2,4-5"), so that a trial records the switch's CPUs beside its programs' own. Readers still
# accept answers without the cpus token, so a list longer than the 63 characters they take is left
# out rather than making every answer one they reject. Or, when the switch cannot read any counter:
#   switchbench-counters/v1 error MESSAGE
# On request rather than periodic: reading counters costs the switch a CLI or telemetry call, four
# per trial are enough, and the answer is as fresh as the request.
SB_COUNTERS_DIR=$SB_RUN_DIR/counters
SB_COUNTERS_TAG='^[a-z0-9][a-z0-9-]{0,47}$'

# serve_counters SOURCE READER: answers requests until killed. READER prints
# "IN_RX IN_DROPPED OUT_TX OUT_DROPPED" (numbers or "-") or fails with its reason on stderr.
serve_counters() {
  local source=$1 reader=$2 request tag answer counters tick cpus
  mkdir -p "$SB_COUNTERS_DIR"
  # The cpuset is fixed for the container's life, and the kernel already writes it in list form.
  # Without it the counters still place the loss: no reason to let set -e end the server.
  cpus=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' /proc/self/status) || cpus=''
  if [[ $cpus =~ ^[0-9,-]{1,63}$ ]]; then cpus=" cpus=$cpus"; else cpus=''; fi
  # read -t on a pipe nobody writes to: a 10 ms sleep without forking a process per tick.
  exec {tick}<> <(:)
  while :; do
    for request in "$SB_COUNTERS_DIR"/*.request; do
      [[ -e $request ]] || continue
      tag=${request##*/} tag=${tag%.request}
      rm -f -- "$request"
      [[ $tag =~ $SB_COUNTERS_TAG ]] || continue
      if counters=$("$reader" 2>&1) && [[ $counters =~ ^([0-9]+|-)(\ ([0-9]+|-)){3}$ ]]; then
        answer="switchbench-counters/v1 $source $counters$cpus"
      else
        answer="switchbench-counters/v1 error ${counters//$'\n'/ }"
      fi
      printf '%s\n' "$answer" >"$SB_COUNTERS_DIR/$tag.tmp" && mv -f -- "$SB_COUNTERS_DIR/$tag.tmp" "$SB_COUNTERS_DIR/$tag.answer"
    done
    read -rt 0.01 -u "$tick" || true
  done
}

# The counters directory goes with the switch: the next switch of the run creates its own.
remove_counters_dir() { rm -rf -- "$SB_COUNTERS_DIR"; }
