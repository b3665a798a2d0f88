#!/usr/bin/env bash
# Builds the kubectl plugin's release archive and its krew manifest (docs/kubectl-plugin.md):
#   dist/plugin/kubectl-switchbench-VERSION-linux-amd64.tar.gz   what krew or a user unpacks
#   dist/plugin/switchbench.yaml                                  the krew manifest, with its sha256
# The archive needs Node 20 on PATH and nothing else: the bundle, the one native module a bundle
# cannot hold (@resvg/resvg-js, for PNG figures), a launcher and kubectl's completion hook.
# RELEASE_URL: where the archive will be downloaded from (the manifest's uri); default: this file.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
version=$(node -p 'require("./package.json").version')
platform=linux-amd64
name=kubectl-switchbench-$version-$platform
out=$root/dist/plugin
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

npm run --silent bundle
mkdir -p "$stage/lib/node_modules" "$out"
install -m 0644 dist/bundle/kubectl-switchbench.mjs "$stage/lib/"
cp -R node_modules/@resvg "$stage/lib/node_modules/"
install -m 0644 LICENSE "$stage/"
# krew links the launcher into its bin directory: it finds its files through the link.
cat > "$stage/kubectl-switchbench" <<'LAUNCHER'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
exec node "$here/lib/kubectl-switchbench.mjs" "$@"
LAUNCHER
# kubectl 1.26+ completes `kubectl switchbench <TAB>` by running kubectl_complete-switchbench.
cat > "$stage/kubectl_complete-switchbench" <<'COMPLETE'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
exec "$here/kubectl-switchbench" __complete "$@"
COMPLETE
chmod 0755 "$stage/kubectl-switchbench" "$stage/kubectl_complete-switchbench"
# Reproducible: fixed owner, order and times, so the same tree gives the same sha256.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage" -czf "$out/$name.tar.gz" .
sha=$(sha256sum "$out/$name.tar.gz" | cut -d' ' -f1)
url=${RELEASE_URL:-file://$out}
sed -e "s|@VERSION@|v$version|g" -e "s|@URI@|$url/$name.tar.gz|g" -e "s|@SHA256@|$sha|g" \
  .ci/plugin/krew.yaml > "$out/switchbench.yaml"
echo "$out/$name.tar.gz"
echo "$out/switchbench.yaml"
