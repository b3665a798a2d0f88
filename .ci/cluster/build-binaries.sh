#!/usr/bin/env bash
# Builds the cluster's binaries from their Go modules, each into a cache directory named by
# version: a warm run returns at once, a version bump in versions.env rebuilds that component.
# Usage: build-binaries.sh [kubernetes|etcd|cri-tools|helm|distribution|kwok]...
# (default: all but kwok, which only make bench-operator needs)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=mod -trimpath"

# go_build NAME OUT_DIR LDFLAGS PACKAGE... — runs inside the wrapper module in the current directory.
# One `go build` for all packages so shared dependencies compile once.
go_build() {
  local name=$1 out=$2 ldflags=$3; shift 3
  local total n=0 started=$SECONDS line
  total=$(go list -deps "$@" | wc -l)
  log "$name: compiling up to $total packages (full log: $PWD/build.log)"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  # -v names each package as it is compiled: that is the progress shown.
  if ! go build -v -ldflags "-s -w $ldflags" -o "$out.tmp/" "$@" 2>&1 | tee build.log | while IFS= read -r line; do
    n=$((n + 1))
    if ((n % 100 == 0)); then log "$name: $n/$total packages ($((SECONDS - started)) s) $line"; fi
  done; then
    tail -n 40 build.log >&2
    die "$name: go build failed"
  fi
  rm -rf "$out" && mv "$out.tmp" "$out"
  log "$name: built in $((SECONDS - started)) s -> $out"
}

# wrapper_module NAME VERSION MODULE — enters a directory holding only a go.mod that requires
# MODULE at VERSION (the directory is kept across runs for its go.sum).
wrapper_module() {
  mkdir -p "$SWITCHBENCH_CACHE/build/$1-$2" && cd "$SWITCHBENCH_CACHE/build/$1-$2"
  printf 'module switchbench.local/build/%s\n\ngo %s\n\nrequire %s %s\n' "$1" "$WRAPPER_GO_VERSION" "$3" "$2" >go.mod
}

build_kubernetes() {
  local v=$KUBERNETES_VERSION out=$K8S_BIN
  [[ -x $out/kubectl ]] && return 0
  wrapper_module kubernetes "$v" k8s.io/kubernetes
  local gomod staging=v0.${v#v1.} minor=${v#v1.}
  minor=${minor%%.*}
  log "kubernetes $v: resolving k8s.io/kubernetes' published go.mod"
  gomod=$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [[ -f $gomod ]] || die "could not download k8s.io/kubernetes@$v's go.mod"
  # k8s.io/kubernetes replaces each staging module with a directory of its own repository; a
  # module that depends on it must point those at the published v0.X.Y modules instead.
  {
    printf '\nreplace (\n'
    awk -v ver="$staging" '$2 == "=>" && $3 ~ /^\.\/staging\/src\// { printf "\t%s => %s %s\n", $1, $1, ver }' "$gomod"
    printf ')\n'
  } >>go.mod
  (($(grep -c '=> k8s.io/' go.mod) > 20)) || die "found too few staging modules in $gomod"
  local ld="" p date
  date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$(dirname "$gomod")/$v.info")
  # The same -X flags as Kubernetes' hack/lib/version.sh, so `--version` and the node report $v.
  for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  go_build "kubernetes $v" "$out" "$ld" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  local v=$ETCD_VERSION out=$ETCD_BIN
  [[ -x $out/etcd ]] && return 0
  wrapper_module etcd "$v" go.etcd.io/etcd/server/v3
  go_build "etcd $v" "$out.bin" "" go.etcd.io/etcd/server/v3
  # go names the binary after the module's directory, `server`; everyone expects `etcd`.
  mkdir -p "$out" && mv "$out.bin/server" "$out/etcd" && rm -rf "$out.bin"
}

build_helm() {
  local v=$HELM_VERSION out=$HELM_BIN
  [[ -x $out/helm ]] && return 0
  wrapper_module helm "$v" helm.sh/helm/v3
  go mod download helm.sh/helm/v3
  local cg major minor
  # helm's Makefile stamps the Kubernetes version its client libraries speak, for `helm lint`
  # and .Capabilities.KubeVersion; take it from the client-go this build resolved.
  cg=$(go list -m -f '{{.Version}}' k8s.io/client-go)
  major=1 minor=${cg#v0.} minor=${minor%%.*}
  go_build "helm $v" "$out" "-X helm.sh/helm/v3/internal/version.version=$v \
-X helm.sh/helm/v3/internal/version.gitTreeState=clean \
-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor" \
    helm.sh/helm/v3/cmd/helm
}

build_cri-tools() {
  local v=$CRI_TOOLS_VERSION out=$CRICTL_BIN
  [[ -x $out/crictl ]] && return 0
  wrapper_module cri-tools "$v" sigs.k8s.io/cri-tools
  go_build "cri-tools $v" "$out" "-X sigs.k8s.io/cri-tools/pkg/version.Version=$v" sigs.k8s.io/cri-tools/cmd/crictl
}

build_distribution() {
  local v=$DISTRIBUTION_VERSION out=$REGISTRY_BIN
  [[ -x $out/registry ]] && return 0
  wrapper_module distribution "$v" github.com/distribution/distribution/v3
  go_build "distribution $v" "$out" "-X github.com/distribution/distribution/v3/version.version=$v" \
    github.com/distribution/distribution/v3/cmd/registry
}

build_kwok() {
  local v=$KWOK_VERSION out=$KWOK_BIN
  [[ -x $out/kwok ]] && return 0
  wrapper_module kwok "$v" sigs.k8s.io/kwok
  go_build "kwok $v" "$out" "-X sigs.k8s.io/kwok/pkg/consts.Version=${v#v}" sigs.k8s.io/kwok/cmd/kwok
}

(($# > 0)) || set -- etcd kubernetes cri-tools helm distribution
for component in "$@"; do
  case $component in
    kubernetes | etcd | cri-tools | helm | distribution | kwok) ("build_$component") ;;
    *) die "unknown component $component (kubernetes, etcd, cri-tools, helm, distribution or kwok)" ;;
  esac
done
