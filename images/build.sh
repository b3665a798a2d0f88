#!/usr/bin/env bash
# `make images`: builds every images/<dir>/Dockerfile with buildah, without a registry, and
# imports the result into the local cluster's containerd (namespace k8s.io) as
# localhost/switchbench-<dir>:dev. The build context is the repository root, so a Dockerfile
# COPYs repository paths (`COPY native/ /src/native/`), and `FROM debian:bookworm-slim` resolves
# to the base image made by base/build.sh. Plain `docker build -f images/<dir>/Dockerfile .`
# builds the same files.
# Usage: images/build.sh [dir...]   (default: every folder here with a Dockerfile, except those
# holding a NOT-BUILT-LOCALLY file that says why; a dir is relative to images/ and names the
# image by its last component)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../.ci/cluster/lib.sh"

pid_alive containerd || die "no local cluster node is running: start one with 'make cluster-up' (MODE=full)"
import_image "$(bash "$REPO_ROOT/images/base/build.sh")"
# The operator's Dockerfile starts FROM node:20-bookworm-slim: a local stand-in (base/node.sh).
bash "$REPO_ROOT/images/base/node.sh" >/dev/null
# images/multus and images/sriov-device-plugin build their Go modules FROM golang:1.26-bookworm (base/golang.sh).
bash "$REPO_ROOT/images/base/golang.sh"

if (($# == 0)); then
  for f in "$REPO_ROOT"/images/*/Dockerfile; do
    dir=$(dirname "$f")
    if [[ -e $dir/NOT-BUILT-LOCALLY ]]; then
      log "skipping images/${dir##*/}: $(head -n 1 "$dir/NOT-BUILT-LOCALLY")"
    elif [[ -e $f ]]; then
      set -- "$@" "${dir##*/}"
    fi
  done
fi
(($# > 0)) || { log "no images/*/Dockerfile to build"; exit 0; }

archive=$(mktemp --suffix .oci.tar)
trap 'rm -f "$archive"' EXIT
for dir in "$@"; do
  [[ -f $REPO_ROOT/images/$dir/Dockerfile ]] || die "images/$dir/Dockerfile does not exist"
  image=localhost/switchbench-$(basename "$dir"):dev
  started=$SECONDS
  log "building $image from images/$dir/Dockerfile"
  buildah bud --pull=never --isolation chroot --layers -t "$image" -f "$REPO_ROOT/images/$dir/Dockerfile" "$REPO_ROOT" >&2
  rm -f "$archive"
  buildah push --quiet "$image" "oci-archive:$archive:$image"
  import_image "$archive"
  log "$image built and imported in $((SECONDS - started)) s"
done
