#!/usr/bin/env bash
# Debian's Prometheus (the server and promtool) for the tests that check metric names and scrape a
# real operator. Installed with service starts refused: the tests run their own Prometheus on
# loopback, with their own configuration, and stop it; nothing may stay behind as a daemon.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/cluster/lib.sh"

command -v promtool >/dev/null && command -v prometheus >/dev/null && exit 0
policy=/usr/sbin/policy-rc.d
saved=
if [[ -e $policy ]]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
restore() { if [[ -n $saved ]]; then mv "$saved" "$policy"; else rm -f "$policy"; fi; }
trap restore EXIT
ensure_packages prometheus
