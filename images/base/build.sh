#!/usr/bin/env bash
# The Debian bookworm base image every Dockerfile here starts from (`FROM debian:bookworm-slim`),
# made without a registry: debootstrap into a folder, packed as a tar that is cached, committed
# with buildah under the name Docker Hub uses so `--pull=never` finds it. Prints the OCI archive
# that containerd imports. Delete the cached tar to pick up newer Debian packages.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../.ci/cluster/lib.sh"

BASE_IMAGE=docker.io/library/debian:bookworm-slim
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=$SWITCHBENCH_CACHE/images
rootfs_tar=$cache/debian-bookworm-minbase.tar
archive=$cache/debian-bookworm-slim.oci.tar
mkdir -p "$cache"

ensure_packages buildah debootstrap

if [[ ! -s $rootfs_tar ]]; then
  log "base image: debootstrap --variant=minbase bookworm from $mirror (about 30 s)"
  tmp=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 30 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
  # debootstrap writes only `bookworm main`; the official image also follows updates and security.
  rm -f "$tmp/etc/apt/sources.list"
  cat >"$tmp/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* "$tmp"/var/log/*.log
  tar -C "$tmp" --numeric-owner -cf "$rootfs_tar.tmp" . && mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$tmp" && trap - EXIT
fi

if [[ $rootfs_tar -nt $archive ]] || ! buildah inspect --type image "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base image: committing $BASE_IMAGE"
  ctr=$(buildah from scratch)
  buildah add --quiet "$ctr" "$rootfs_tar" / >/dev/null
  buildah config --cmd '["bash"]' --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  buildah commit --quiet --rm "$ctr" "$BASE_IMAGE" >/dev/null
  rm -f "$archive" && buildah push --quiet "$BASE_IMAGE" "oci-archive:$archive.tmp:$BASE_IMAGE" && mv "$archive.tmp" "$archive"
fi
echo "$archive"
