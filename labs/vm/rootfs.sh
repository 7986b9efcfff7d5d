#!/usr/bin/env bash
# Stage 1 of the VM image: a debootstrap'ed, apt-cleaned and slimmed bookworm rootfs kept as a zstd tarball, keyed
# only by the package list, so recipe changes elsewhere never re-download the ~250 s of packages.
#   rootfs.sh CACHE_DIR      prints the tarball's path
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${1:?usage: rootfs.sh CACHE_DIR}
MIRROR=${NODEGATE_VM_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
PKGS=$(grep -v '^#' "$HERE/packages.txt" | grep -v '^$' | paste -sd, -)
# Bump when this script's output changes; the key leaves out everything else so that edits elsewhere never re-download.
RECIPE=1
KEY=$(printf '%s\n%s\n%s\n%s\n' "$RECIPE" "$SUITE" "$MIRROR" "$PKGS" | sha256sum | cut -c1-16)
OUT=$CACHE/rootfs-$KEY.tar.zst

log() { echo "rootfs.sh: $*" >&2; }

if [ -s "$OUT" ]; then echo "$OUT"; exit 0; fi

mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/debootstrap.XXXXXX")
# debootstrap mounts /proc and /sys inside; a failed run can leave them there, and rm must never walk into them.
cleanup() {
  { findmnt -rn -o TARGET | grep "^$WORK/" | sort -r | xargs -r -n1 umount -l; } || true
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
log "debootstrap $SUITE from $MIRROR (download-bound, ~4-5 min)"
start=$(date +%s)
debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$WORK/root" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
  { tail -30 "$WORK/debootstrap.log" >&2; exit 1; }
log "debootstrap took $(( $(date +%s) - start )) s"
R=$WORK/root
chroot "$R" apt-get clean
# Slim: documentation, man pages and translations are never read on a lab node.
rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/usr/share/locale/* \
  "$R"/var/lib/apt/lists/* "$R"/var/cache/debconf/*-old "$R"/var/log/*.log
tar -C "$R" --numeric-owner --xattrs --xattrs-include='*' -cf - . | zstd -q -T0 -3 -o "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "tarball $(du -h "$OUT" | cut -f1) at $OUT"
echo "$OUT"
