#!/usr/bin/env bash
# Builds the test device plugin into a cache directory named by a hash of its module: a warm run
# returns at once, a changed source rebuilds. Prints the binary's path, the only line on stdout.
# Usage: build.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../cluster/lib.sh"

hash=$(cat "$here/go.mod" "$here/go.sum" "$here"/*.go | sha256sum | cut -c1-12)
out=$SWITCHBENCH_CACHE/bin/fake-device-plugin-$hash
if [[ ! -x $out/fake-device-plugin ]]; then
  log "fake-device-plugin: building $out"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  # No VCS stamp: the binary depends on the hashed files only, not on the checkout's state.
  if ! (cd "$here" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-trimpath -buildvcs=false" \
    go build -o "$out.tmp/fake-device-plugin" . >&2); then
    die "fake-device-plugin: go build failed (output above)"
  fi
  rm -rf "$out" && mv "$out.tmp" "$out"
fi
echo "$out/fake-device-plugin"
