#!/usr/bin/env bash
# A local stand-in for Docker Hub's node:20-bookworm-slim, which cannot be pulled here: the Debian
# base image plus this machine's Node.js 20 (binary and npm). `FROM node:20-bookworm-slim` in the
# operator's Dockerfile then resolves to it with --pull=never; elsewhere the real image is used.
# Prints the OCI archive that containerd imports.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../../.ci/cluster/lib.sh"

NODE_IMAGE=docker.io/library/node:20-bookworm-slim
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
version=$("$node_bin" --version)
[[ $version == v20.* ]] || die "the stand-in for $NODE_IMAGE needs Node.js 20 on this machine, found $version"
archive=$SWITCHBENCH_CACHE/images/node-$version.oci.tar
mkdir -p "$(dirname "$archive")"

if [[ ! -s $archive ]] || ! buildah inspect --type image "$NODE_IMAGE" >/dev/null 2>&1; then
  log "node image: committing $NODE_IMAGE from the base image and Node.js $version"
  ctr=$(buildah from --pull=never docker.io/library/debian:bookworm-slim)
  buildah copy --quiet "$ctr" "$node_bin" /usr/local/bin/node >/dev/null
  buildah copy --quiet "$ctr" "$npm_dir" /usr/local/lib/node_modules/npm >/dev/null
  buildah run "$ctr" -- ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
  buildah run "$ctr" -- ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
  buildah config --cmd '["node"]' --env NODE_VERSION="${version#v}" "$ctr"
  buildah commit --quiet --rm "$ctr" "$NODE_IMAGE" >/dev/null
  rm -f "$archive" && buildah push --quiet "$NODE_IMAGE" "oci-archive:$archive.tmp:$NODE_IMAGE" && mv "$archive.tmp" "$archive"
fi
echo "$archive"
