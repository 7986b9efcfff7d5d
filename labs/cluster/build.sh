#!/usr/bin/env bash
# Builds the cluster lab's components from their upstream Go modules (nothing prebuilt is downloaded) into a
# cache directory keyed by versions.env, so a second run with the same pins only checks the key.
#
#   labs/cluster/build.sh            # prints the cache's bin directory on the last line of stdout
#   NODEGATE_CLUSTER_CACHE=/elsewhere labs/cluster/build.sh
#
# Every module comes through the Go module proxy into a GOMODCACHE under the cache directory. Modules that use
# local-path replace directives (k8s.io/kubernetes' staging tree, etcd's sibling modules) are built through a
# generated wrapper module whose replaces point each of those at its published version instead.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
export PATH="$GO_ROOT/bin:$PATH"
# Go is this machine kind's own (/usr/local/go); the script downloads modules, never a toolchain.
command -v go >/dev/null || { echo "build.sh: no Go at $GO_ROOT (versions.env GO_ROOT): install Go >= 1.24 there (the path versions.env names)" >&2; exit 2; }
cache=${NODEGATE_CLUSTER_CACHE:-/var/cache/nodegate-cluster}
# Bump when the way binaries are built changes (flags, list of binaries, src/): it is part of the cache key.
# 2: CoreDNS from src/coredns (the Corefile's plugins only).
recipe=2

t_start=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[cluster-build] %s\n' "$*" >&2; }

go_version=$(go version)
# The project's own main packages (src/) are part of the key too: editing one rebuilds.
key=$( { grep -v '^#' "$here/versions.env"; echo "$go_version"; echo "recipe=$recipe"; find "$here/src" -type f | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
out="$cache/build-$key"
bin="$out/bin"

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl coredns kube-router
  cni/bridge cni/host-local cni/loopback cni/portmap)

# Warm path: the key names the versions, .complete names the binaries it promised.
if [[ -f "$out/.complete" ]]; then
  missing=0
  for b in "${binaries[@]}"; do [[ -x "$bin/$b" ]] || missing=1; done
  if [[ $missing == 0 ]]; then
    log "warm: $out is complete for key $key ($(elapsed "$t_start") s)"
    echo "$bin"
    exit 0
  fi
  log "cache $out is incomplete: rebuilding"
fi

mkdir -p "$bin/cni" "$out/src" "$cache/go/mod" "$cache/go/build"
export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOTOOLCHAIN=local GOFLAGS="-p=2 -trimpath" CGO_ENABLED=0
metrics="$out/metrics.tsv"
[[ -f $metrics ]] || printf 'step\tname\tseconds\tbytes\n' >"$metrics"
record() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$metrics"; log "$1 $2: $3 s${4:+, $4 bytes}"; }

# Writes replace lines for the upstream go.mod ($1): a local-path target becomes the published version that $2
# (a function name) computes from the module path; a module-version target is kept as it is.
replaces_from() {
  local gomod=$1 map=$2 left target tver
  sed -n '/^replace (/,/^)/{/=>/p}; /^replace [^(]/{s/^replace //p}' "$gomod" |
    while IFS= read -r line; do
      left=${line%%=>*}
      read -r target tver <<<"${line#*=>}"
      case $target in
        ./FORBIDDEN_DEPENDENCY) ;; # etcd's guard against modules that must stay out of the graph
        ./* | ../*) read -r left _ <<<"$left" && echo "replace $left => $left $("$map" "$left")" ;;
        *) echo "replace $(echo $left) => $target $tver" ;;
      esac
    done
}
kube_staging_version() { echo "v0.${KUBERNETES_VERSION#v1.}"; }
etcd_sibling_version() { echo "$ETCD_VERSION"; }

# wrapper NAME MODULE VERSION MAPFN PKG... : a module requiring MODULE@VERSION with go tool directives for the
# main packages, so `go mod tidy` resolves exactly what those packages import.
wrapper() {
  local name=$1 module=$2 version=$3 map=$4
  shift 4
  local dir="$out/src/$name" t
  mkdir -p "$dir"
  t=$(date +%s.%N)
  local upstream
  upstream=$(go mod download -json "$module@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
  {
    echo "module nodegate.lab/cluster/$name"
    echo
    echo "go 1.24"
    echo
    echo "require $module $version"
    for p in "$@"; do echo "tool $p"; done
    if [[ $map != - ]]; then replaces_from "$upstream" "$map"; fi
  } >"$dir/go.mod"
  # A main package of the project's own (src/NAME) builds instead of upstream's: tidy resolves its imports.
  if [[ -d $here/src/$name ]]; then cp "$here/src/$name/"*.go "$dir/"; fi
  (cd "$dir" && go mod tidy)
  record download "$name" "$(elapsed "$t")" ""
}

# build NAME OUTPUT PKG [LDFLAGS]
build() {
  local name=$1 output=$2 pkg=$3 ldflags=${4:-} t
  # A binary already in this key's directory was built from these pins: an interrupted or extended build
  # resumes instead of relinking it.
  if [[ -x $bin/$output ]]; then log "kept $output"; return; fi
  t=$(date +%s.%N)
  (cd "$out/src/$name" && nice -n 19 go build -ldflags "-s -w $ldflags" -o "$bin/$output" "$pkg")
  record build "$output" "$(elapsed "$t")" "$(stat -c %s "$bin/$output")"
}

mod_before=$(du -sb "$cache/go/mod" | cut -f1)
t_dl=$(date +%s.%N)
k8s=k8s.io/kubernetes/cmd
wrapper kubernetes k8s.io/kubernetes "$KUBERNETES_VERSION" kube_staging_version \
  $k8s/kube-apiserver $k8s/kube-controller-manager $k8s/kube-scheduler $k8s/kubelet $k8s/kube-proxy $k8s/kubectl
wrapper etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" etcd_sibling_version go.etcd.io/etcd/server/v3
# CoreDNS: src/coredns/main.go, upstream coremain with the lab Corefile's plugins only.
wrapper coredns github.com/coredns/coredns "$COREDNS_VERSION" -
wrapper kube-router github.com/cloudnativelabs/kube-router/v2 "$KUBE_ROUTER_VERSION" - \
  github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
cni=github.com/containernetworking/plugins/plugins
wrapper cni github.com/containernetworking/plugins "$CNI_PLUGINS_VERSION" - \
  $cni/main/bridge $cni/ipam/host-local $cni/main/loopback $cni/meta/portmap
record download all "$(elapsed "$t_dl")" "$(($(du -sb "$cache/go/mod" | cut -f1) - mod_before))"

# The version the components report (the kubelet's node status, the API server's /version) is stamped as
# hack/lib/version.sh stamps it; without it they say v0.0.0-master.
minor=${KUBERNETES_VERSION#v1.}
minor=${minor%%.*}
kv=""
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  kv+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  kv+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

t_bld=$(date +%s.%N)
for c in kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy kubectl; do build kubernetes "$c" "$k8s/$c" "$kv"; done
build etcd etcd go.etcd.io/etcd/server/v3
build coredns coredns .
build kube-router kube-router github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
build cni cni/bridge $cni/main/bridge
build cni cni/host-local $cni/ipam/host-local
build cni cni/loopback $cni/main/loopback
build cni cni/portmap $cni/meta/portmap
record build all "$(elapsed "$t_bld")" "$(du -sb "$bin" | cut -f1)"

printf '%s\n' "${binaries[@]}" >"$out/.complete"
record total build.sh "$(elapsed "$t_start")" ""
echo "$bin"
