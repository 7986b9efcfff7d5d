#!/usr/bin/env bash
# Builds the lab's container images as OCI image-layout tarballs, with no registry: busybox from Debian's
# busybox-static (shell, web server, memory bomb), CoreDNS from the binary build.sh made, and a pause image from
# pause.c. Each tarball is ready for `ctr -n k8s.io images import`. Prints the image directory on the last line.
#
#   labs/cluster/images.sh [BIN_DIR]     # BIN_DIR: build.sh's output (default: run build.sh, warm it is seconds)
#
# Needs: busybox-static (Debian's package: its /bin/busybox), gcc with a static libc, sha256sum, gzip, tar.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${NODEGATE_CLUSTER_CACHE:-/var/cache/nodegate-cluster}
bin=${1:-$("$here/build.sh" | tail -1)}
log() { printf '[cluster-images] %s\n' "$*" >&2; }

busybox=/bin/busybox
bb_version=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null) || {
  echo "images.sh: Debian's busybox-static is not installed (apt-get install busybox-static)" >&2
  exit 2
}
dpkg-query -L busybox-static | grep -qx "$busybox" || {
  echo "images.sh: $busybox is not the file busybox-static installed" >&2
  exit 2
}
# Tags carry the upstream busybox version (1:1.35.0-4+deb12u1+b1 -> 1.35.0).
bb_tag=${bb_version#*:}
bb_tag=${bb_tag%%-*}
coredns_tag=$("$bin/coredns" -version | sed -n 's/^CoreDNS-\([0-9.]*\)$/\1/p')
[[ -n $coredns_tag ]] || { echo "images.sh: cannot read the CoreDNS version from $bin/coredns" >&2; exit 2; }

key=$(cat "$0" "$here/pause.c" "$busybox" "$bin/coredns" /bin/dash /lib/x86_64-linux-gnu/libc.so.6 | sha256sum | cut -c1-16)
out="$cache/images-$key"
if [[ -f $out/.complete ]]; then
  log "warm: $out"
  echo "$out"
  exit 0
fi

t0=$(date +%s.%N)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# blob FILE: moves FILE into the layout's blob store, prints "digest size".
blob() {
  local d s
  d=$(sha256sum "$1" | cut -d' ' -f1)
  s=$(stat -c %s "$1")
  mkdir -p "$layout/blobs/sha256"
  mv "$1" "$layout/blobs/sha256/$d"
  echo "sha256:$d $s"
}

# json_array WORD...: a JSON array of strings (the words hold no quotes or backslashes).
json_array() {
  local out="" w
  for w in "$@"; do out+="${out:+,}\"$w\""; done
  echo "[$out]"
}

# image NAME ROOTFS_DIR ENTRYPOINT_JSON CMD_JSON [USER]: writes $out/<file>.tar, an OCI layout of one layer.
image() {
  local name=$1 rootfs=$2 entrypoint=$3 cmd=$4 user=${5:-} file
  file=$(echo "$name" | tr '/:' '__')
  layout="$work/layout-$file"
  mkdir -p "$layout"
  # Deterministic layer: fixed order, owner and times, so the digest depends on the content only.
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local diff_id
  diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -9 "$work/layer.tar"
  local layer_d layer_s
  read -r layer_d layer_s < <(blob "$work/layer.tar.gz")
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"],"Entrypoint":%s,"Cmd":%s,"User":"%s","WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"nodegate labs/cluster/images.sh"}]}' \
    "$entrypoint" "$cmd" "$user" "$diff_id" >"$work/config.json"
  local config_d config_s
  read -r config_d config_s < <(blob "$work/config.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
    "$config_d" "$config_s" "$layer_d" "$layer_s" >"$work/manifest.json"
  local manifest_d manifest_s
  read -r manifest_d manifest_s < <(blob "$work/manifest.json")
  # io.containerd.image.name is the full reference ctr import names the image by; ref.name is the OCI tag.
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_d" "$manifest_s" "$name" "${name##*:}" >"$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$out/$file.tar" oci-layout index.json blobs
  printf '%s\t%s\t%s\n' "$name" "$file.tar" "$manifest_d" >>"$out/images.tsv"
  log "$name: $(stat -c %s "$out/$file.tar") bytes, manifest $manifest_d"
}

: >"$out/images.tsv"

# busybox: the static binary and a link per applet, as `busybox --install -s` would make them.
bb="$work/busybox"
mkdir -p "$bb/bin" "$bb/tmp" "$bb/www" "$bb/etc"
chmod 1777 "$bb/tmp"
cp "$busybox" "$bb/bin/busybox"
for applet in $("$busybox" --list); do [[ $applet == busybox ]] || ln -s busybox "$bb/bin/$applet"; done
# Debian's static busybox sh runs its own applet for any applet name before searching PATH (standalone shell), so
# `sh -c '… wget …'` — how the live checks' client pods run — would reach the crashing wget applet and never the
# script below. /bin/sh is Debian's dash instead (with the two libraries it links), which searches PATH like the
# shells of the guide's busybox:1.36 and nginx images; every other command is still a busybox applet.
rm "$bb/bin/sh"
mkdir -p "$bb/lib/x86_64-linux-gnu" "$bb/lib64"
cp /bin/dash "$bb/bin/dash"
cp -L /lib/x86_64-linux-gnu/libc.so.6 "$bb/lib/x86_64-linux-gnu/libc.so.6"
cp -L /lib64/ld-linux-x86-64.so.2 "$bb/lib64/ld-linux-x86-64.so.2"
ln -s dash "$bb/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$bb/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$bb/etc/group"
echo 'nodegate lab web server' >"$bb/www/index.html"
# The guide's memory bomb is `stress --vm 1 --vm-bytes 500M --vm-hang 1`; this stress takes the same arguments
# and allocates with dd: busybox dd holds one buffer of bs bytes and fills it from /dev/zero, so the memory is
# resident for as long as it copies.
cat >"$bb/bin/stress" <<'SH'
#!/bin/sh
# nodegate lab stand-in for stress(1): --vm-bytes SIZE is held resident by dd; --timeout N[s] ends the run after N
# seconds with stress's own success line, as stress 1.0.4 does; other options are accepted.
bytes=256M seconds=
while [ $# -gt 0 ]; do
  case $1 in
    --vm-bytes) bytes=$2; shift ;;
    --vm-bytes=*) bytes=${1#*=} ;;
    --timeout|-t) seconds=${2%s}; shift ;;
    --timeout=*) seconds=${1#*=}; seconds=${seconds%s} ;;
  esac
  shift
done
echo "stress: holding $bytes with dd" >&2
hold() { while :; do dd if=/dev/zero of=/dev/null bs="$bytes" count=1000000 2>/dev/null || exit $?; done; }
[ -n "$seconds" ] || hold
hold & pid=$!
# Killed by the OOM killer, the holder's status is its own (137); still running at the deadline, it is stopped.
( sleep "$seconds"; kill "$pid" 2>/dev/null ) &
wait "$pid"; rc=$?
[ "$rc" -eq 143 ] || exit "$rc"
echo "stress: info: [1] successful run completed in ${seconds}s"
SH
chmod 0755 "$bb/bin/stress"
# Debian 12's busybox-static wget dies with SIGSEGV as soon as it resolves a name (any arguments; measured): a
# static glibc cannot load the NSS modules getaddrinfo needs, and busybox nc given a name crashes the same way.
# So the image's wget is this script: names through busybox nslookup (its own DNS client) with resolv.conf's
# search list, HTTP/1.0 over busybox nc, and https through nc -e and busybox ssl_client (no certificate check,
# like `wget --no-check-certificate`), for the forms the guide and the live checks use.
rm "$bb/bin/wget"
cat >"$bb/bin/wget" <<'SH'
#!/bin/sh
# nodegate lab wget: wget [-q] [-O FILE|-] [-T SECS|--timeout=SECS] http[s]://HOST[:PORT][/PATH] over busybox nc.
# Exit 0 on an HTTP 2xx/3xx answer, 1 when the name does not resolve, nothing answered in time or the status is
# an error, with wget's messages ("bad address", "server returned error: HTTP/1.1 401 …").
out=index.html timeout=10 quiet= url=
while [ $# -gt 0 ]; do
  case $1 in
    -q) quiet=1 ;;
    -qO-) quiet=1 out=- ;;
    -qO) quiet=1 out=$2; shift ;;
    -O-) out=- ;;
    -O) out=$2; shift ;;
    -T) timeout=$2; shift ;;
    --timeout=*|-T*) timeout=${1#--timeout=}; timeout=${timeout#-T} ;;
    -*) ;;
    *) url=$1 ;;
  esac
  shift
done
case $url in https://*) tls=1 rest=${url#https://} port=443 ;; *) tls= rest=${url#http://} port=80 ;; esac
hostport=${rest%%/*}
case $rest in */*) path=/${rest#*/} ;; *) path=/ ;; esac
case $hostport in *:*) host=${hostport%:*} port=${hostport##*:} ;; *) host=$hostport ;; esac
# A name with fewer than five dots is tried with each search domain first, as the resolver does with ndots:5.
resolve() {
  case $1 in *[!0-9.]*) ;; *) echo "$1"; return 0 ;; esac
  names=$1
  case $1 in *.) names=${1%.} ;; *)
    dots=$(printf '%s' "$1" | tr -cd . | wc -c)
    search=$(sed -n 's/^search //p' /etc/resolv.conf 2>/dev/null)
    if [ "$dots" -lt 5 ]; then names=; for d in $search; do names="$names $1.$d"; done; names="$names $1"; fi ;;
  esac
  for n in $names; do
    ip=$(nslookup -type=a "$n" 2>/dev/null | awk '/^Name:/ { found = 1 } found && /^Address/ { print $2; exit }')
    [ -n "$ip" ] && { echo "$ip"; return 0; }
  done
  return 1
}
ip=$(resolve "$host") || { echo "wget: bad address '$host'" >&2; exit 1; }
[ -n "$quiet" ] || echo "Connecting to $hostport ($ip:$port)" >&2
# The request is printed where it is sent: $(…) would strip its closing blank line.
export WGET_PATH=$path WGET_HOST=$hostport
request() { printf 'GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: nodegate-lab-wget\r\nConnection: close\r\n\r\n' "$WGET_PATH" "$WGET_HOST"; }
started=$(date +%s)
if [ -n "$tls" ]; then
  tmp=$(mktemp) || exit 1
  # nc -e hands the connected socket to the child as fds 0 and 1; ssl_client speaks TLS on them.
  SNI=$host OUT=$tmp nc -w "$timeout" "$ip" "$port" -e sh -c 'exec 3<&0 4>&1; printf "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: nodegate-lab-wget\r\nConnection: close\r\n\r\n" "$WGET_PATH" "$WGET_HOST" | ssl_client -s 4 -r 3 -n "$SNI" >"$OUT" 2>/dev/null' 2>/dev/null || true
  resp=$(cat "$tmp"); rm -f "$tmp"
else
  resp=$(request | nc -w "$timeout" "$ip" "$port" 2>/dev/null) || true
fi
status=$(printf '%s\n' "$resp" | head -1 | tr -d '\r')
# No answer: timed out (what a policy that drops packets looks like, and busybox wget's words for it) when nc
# waited out the timeout, refused otherwise.
if [ -z "$status" ]; then
  if [ $(($(date +%s) - started)) -ge $((timeout - 1)) ]; then echo "wget: download timed out" >&2
  else echo "wget: can't connect to remote host ($ip): Connection refused" >&2; fi
  exit 1
fi
body=$(printf '%s\n' "$resp" | sed '1,/^\r*$/d')
case $status in
  "HTTP/"*" 2"??*|"HTTP/"*" 3"??*) ;;
  *) echo "wget: server returned error: $status" >&2; exit 1 ;;
esac
if [ "$out" = - ]; then printf '%s\n' "$body"; else printf '%s\n' "$body" >"$out"; fi
SH
chmod 0755 "$bb/bin/wget"
# The live checks' restricted pod runs the guide's `nginx -g 'daemon off;'` in the web image: answer on 80 with
# busybox httpd in the foreground instead (uid 101 binds 80 with the NET_BIND_SERVICE the guide adds). nginx stops at
# SIGTERM/SIGQUIT; httpd as a container's PID 1 has no handler, so the kernel drops them and the pod would sit out
# its whole grace period: the shell stays PID 1 and passes the signal on.
cat >"$bb/bin/nginx" <<'SH'
#!/bin/sh
# nodegate lab stand-in for nginx: every argument is ignored; serves /www on port 80 in the foreground.
httpd -f -v -p 80 -h /www &
trap 'kill "$!"; wait "$!"; exit 0' TERM QUIT INT
wait "$!"
SH
chmod 0755 "$bb/bin/nginx"

# Like busybox:1.36, no entrypoint and sh as the command, so `kubectl run … -- wget …` runs wget.
image "nodegate.lab/busybox:$bb_tag" "$bb" '[]' '["sh"]'
# The web image answers on port 80 like the guide's nginx:1.25-alpine (httpd -f: stay in the foreground).
image "nodegate.lab/web:busybox-$bb_tag" "$bb" "$(json_array /bin/httpd -f -v -p 80 -h /www)" '[]'
image "nodegate.lab/stress:busybox-$bb_tag" "$bb" '["/bin/stress"]' "$(json_array --vm 1 --vm-bytes 500M --vm-hang 1)"

cd_root="$work/coredns"
mkdir -p "$cd_root/etc/coredns"
cp "$bin/coredns" "$cd_root/coredns"
image "nodegate.lab/coredns:$coredns_tag" "$cd_root" '["/coredns"]' "$(json_array -conf /etc/coredns/Corefile)" 65532

pause_root="$work/pause"
mkdir -p "$pause_root"
gcc -static -Os -Wall -Wextra -Werror -o "$pause_root/pause" "$here/pause.c"
strip "$pause_root/pause"
image "nodegate.lab/pause:1" "$pause_root" '["/pause"]' '[]' 65535

touch "$out/.complete"
log "built in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
echo "$out"
