#!/usr/bin/env bash
# Test runs share the machine's one cluster. Each run is a user, named by a PID; the cluster a
# run had to start is stopped when its last user leaves, and one that was running before (a
# developer's `make cluster-up`) is left running.
# Usage: session.sh acquire MODE PID | release PID | others PID
#   acquire: make sure a cluster offering MODE runs (see mode_offers), then register PID.
#   release: unregister PID; stop the cluster if a session started it and no user is left.
#   others:  print how many other live users there are.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

users=$CLUSTER_DIR/users
started_by_session=$RUN/started-by-session

# Users whose process ended without releasing (a killed test run) do not count.
live_users() {
  local u
  for u in "$users"/*; do
    [[ -e $u ]] || continue
    if kill -0 "${u##*/}" 2>/dev/null; then echo "${u##*/}"; else rm -f "$u"; fi
  done
}

cluster_lock
case ${1:-} in
  acquire)
    mode=${2:?mode} pid=${3:?pid}
    before=$(running_mode)
    if ! mode_offers "$before" "$mode"; then
      # A cluster still partly running (a component killed by a test that then failed, under a
      # developer's `make cluster-up`) is completed, not taken over: it stays up after this run.
      partly=false
      pid_alive etcd && partly=true
      bash "$CLUSTER_SCRIPTS/up.sh" "$mode"
      [[ -n $before ]] || $partly || touch "$started_by_session"
    fi
    mkdir -p "$users" && touch "$users/$pid"
    ;;
  release)
    rm -f "$users/${2:?pid}"
    if [[ -e $started_by_session && -z $(live_users) ]]; then bash "$CLUSTER_SCRIPTS/down.sh"; fi
    ;;
  others)
    live_users | grep -cvx "${2:?pid}" || true
    ;;
  *) die "usage: session.sh acquire MODE PID | release PID | others PID" ;;
esac
