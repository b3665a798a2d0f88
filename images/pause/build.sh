#!/usr/bin/env bash
# The pod sandbox image containerd starts first in every pod (its sandbox_image), built from
# pause.c with the host's compiler so the node needs no registry. Tagged with the source's hash,
# so a change to pause.c gives a new image. Prints "IMAGE ARCHIVE".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../.ci/cluster/lib.sh"

ensure_packages buildah gcc libc6-dev
tag=$(sha256sum "$here/pause.c" | cut -c1-12)
image=localhost/switchbench-pause:$tag
archive=$SWITCHBENCH_CACHE/images/switchbench-pause-$tag.oci.tar
mkdir -p "$SWITCHBENCH_CACHE/images"

if [[ ! -s $archive ]]; then
  log "pause image: building $image"
  bin=$(mktemp -d)
  trap 'rm -rf "$bin"' EXIT
  gcc -std=c11 -Wall -Wextra -Werror -O2 -static -s -o "$bin/pause" "$here/pause.c"
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$bin/pause" /pause >/dev/null
  buildah config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
  buildah commit --quiet --rm "$ctr" "$image" >/dev/null
  buildah push --quiet "$image" "oci-archive:$archive.tmp:$image" && mv "$archive.tmp" "$archive"
fi
echo "$image $archive"
