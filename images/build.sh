#!/usr/bin/env bash
# `make images`: builds every images/<dir>/Dockerfile, named switchbench-<dir>, with whichever
# builder the machine has (buildah, podman or docker; BUILDER= picks one), then either
#   - REGISTRY=host[:port]/path [TAG=...] [PUSH=1]: tags them REGISTRY/switchbench-<dir>:TAG (TAG
#     defaults to the version in package.json) and, with PUSH=1, pushes them there; or
#   - without REGISTRY: imports them into the local cluster's containerd (namespace k8s.io) as
#     localhost/switchbench-<dir>:dev, for tests that start pods from images no registry holds.
# The build context is the repository root, so a Dockerfile COPYs repository paths
# (`COPY native/ /src/native/`). With buildah or podman, `FROM debian:bookworm-slim`,
# `node:20-bookworm-slim` and `golang:1.26-bookworm` resolve to local stand-ins made by base/*.sh
# (this machine cannot reach Docker Hub); docker pulls the real images.
# Usage: images/build.sh [dir...]   (default: every folder here with a Dockerfile, except those
# holding a NOT-BUILT-LOCALLY file that says why; a dir is relative to images/ and names the
# image by its last component)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../.ci/cluster/lib.sh"

REGISTRY=${REGISTRY:-}
PUSH=${PUSH:-}
TAG=${TAG:-$(node -p 'require(process.argv[1]).version' "$REPO_ROOT/package.json")}
if [[ -z ${BUILDER:-} ]]; then
  for BUILDER in buildah podman docker ""; do
    [[ -z $BUILDER ]] || ! command -v "$BUILDER" >/dev/null || break
  done
  # A fresh Debian machine has none: buildah is the one this project installs.
  if [[ -z $BUILDER ]]; then ensure_packages buildah && BUILDER=buildah; fi
fi
case $BUILDER in buildah | podman | docker) ;; *) die "BUILDER=$BUILDER: use buildah, podman or docker" ;; esac
command -v "$BUILDER" >/dev/null || die "BUILDER=$BUILDER is not installed"
[[ -n $REGISTRY || -z $PUSH ]] || die "PUSH=1 needs REGISTRY=host[:port]/path to push to"
[[ -n $REGISTRY ]] || pid_alive containerd ||
  die "no local cluster node is running to import into: start one with 'make cluster-up' (MODE=full), or push with REGISTRY=... PUSH=1"

if [[ $BUILDER != docker ]]; then
  base_archive=$(bash "$REPO_ROOT/images/base/build.sh")
  # The operator's Dockerfile starts FROM node:20-bookworm-slim: a local stand-in (base/node.sh).
  bash "$REPO_ROOT/images/base/node.sh" >/dev/null
  # images/multus and images/sriov-device-plugin build their Go modules FROM golang:1.26-bookworm (base/golang.sh).
  bash "$REPO_ROOT/images/base/golang.sh"
  if pid_alive containerd; then import_image "$base_archive"; fi
fi

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

# A registry on loopback is plain HTTP (the local cluster's); any other must have TLS.
tls_verify=true
[[ ! $REGISTRY =~ ^(127\.0\.0\.1|localhost)(:|/|$) ]] || tls_verify=false

build() { # IMAGE DOCKERFILE
  case $BUILDER in
    buildah) buildah bud --pull=never --isolation chroot --layers -t "$1" -f "$2" "$REPO_ROOT" >&2 ;;
    podman) podman build --pull=never --layers -t "$1" -f "$2" "$REPO_ROOT" >&2 ;;
    docker) docker build -t "$1" -f "$2" "$REPO_ROOT" >&2 ;;
  esac
}

push() { # IMAGE
  case $BUILDER in
    buildah | podman) "$BUILDER" push --quiet --tls-verify="$tls_verify" "$1" "docker://$1" ;;
    docker) docker push --quiet "$1" >/dev/null ;;
  esac
}

import() { # IMAGE
  local archive
  archive=$(mktemp --suffix .tar)
  case $BUILDER in
    buildah | podman) rm -f "$archive" && "$BUILDER" push --quiet "$1" "oci-archive:$archive:$1" ;;
    docker) docker save -o "$archive" "$1" ;;
  esac
  import_image "$archive"
  rm -f "$archive"
}

for dir in "$@"; do
  [[ -f $REPO_ROOT/images/$dir/Dockerfile ]] || die "images/$dir/Dockerfile does not exist"
  name=switchbench-$(basename "$dir")
  if [[ -n $REGISTRY ]]; then image=$REGISTRY/$name:$TAG; else image=localhost/$name:dev; fi
  started=$SECONDS
  log "building $image from images/$dir/Dockerfile with $BUILDER"
  build "$image" "$REPO_ROOT/images/$dir/Dockerfile"
  if [[ -z $REGISTRY ]]; then
    import "$image"
    log "$image built and imported in $((SECONDS - started)) s"
  elif [[ -n $PUSH ]]; then
    push "$image"
    log "$image built and pushed in $((SECONDS - started)) s"
  else
    log "$image built in $((SECONDS - started)) s (PUSH=1 pushes it)"
  fi
done
