#!/usr/bin/env bash
# A local stand-in for Docker Hub's golang:1.26-bookworm, which cannot be pulled here: the Debian base
# image plus this machine's Go toolchain. `FROM golang:1.26-bookworm` in images/multus and
# images/sriov-device-plugin then resolves to it with --pull=never; elsewhere the real image is used.
# Only a build stage uses it, so it stays in buildah's storage and is never imported into containerd.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../.ci/cluster/lib.sh"

GO_IMAGE=docker.io/library/golang:1.26-bookworm
goroot=$(go env GOROOT)
version=$(go env GOVERSION)
[[ $version == go1.26* ]] || die "the stand-in for $GO_IMAGE needs Go 1.26 on this machine, found $version"
stamp=$SWITCHBENCH_CACHE/images/golang-$version.built

if [[ ! -e $stamp ]] || ! buildah inspect --type image "$GO_IMAGE" >/dev/null 2>&1; then
  log "golang image: committing $GO_IMAGE from the base image and $version"
  ctr=$(buildah from --pull=never docker.io/library/debian:bookworm-slim)
  # The module proxy is reached over HTTPS through whatever this machine trusts (its network may
  # present its own certificate authority): the machine's CA bundle, not Debian's default one.
  buildah copy --quiet "$ctr" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
  buildah copy --quiet "$ctr" "$goroot" /usr/local/go >/dev/null
  buildah config --env PATH=/usr/local/go/bin:/root/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env GOLANG_VERSION="${version#go}" "$ctr"
  buildah commit --quiet --rm "$ctr" "$GO_IMAGE" >/dev/null
  mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
