#!/usr/bin/env bash
# PID 1 of one namespace-lab node (started by lab.sh inside the node's netns, mount, UTS and PID namespaces):
# lays the node's files over the real paths, sets its hostname and net.* sysctls, starts containerd (or a socket
# stand-in where the host has none),
# then becomes the node's OpenSSH server.
set -euo pipefail
nd=$1
# shellcheck source=/dev/null
. "$nd/node.env"

# A private /run hides the host's (and any /run/systemd/system, so nothing thinks systemd is PID 1).
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -m 0755 /run/sshd /run/containerd

# /etc is an overlay (node files over the host's /etc, writes to $nd/upper) rather than per-file bind mounts:
# editors and fixes replace files by rename, which fails with EBUSY on a bind-mounted file.
mount -t overlay overlay -o "lowerdir=$nd/etc:/etc,upperdir=$nd/upper,workdir=$nd/work" /etc
# /var/lib the same way: the node's kubelet files (seccomp profiles) over the host's, writes kept per node.
mount -t overlay overlay -o "lowerdir=$nd/varlib:/var/lib,upperdir=$nd/upper-varlib,workdir=$nd/work-varlib" /var/lib
# These two replace the host's directories instead of merging with them.
mount --bind "$nd/sysctl.d" /etc/sysctl.d
mount --bind "$nd/modules-load.d" /etc/modules-load.d
mount --bind "$nd/boot" /boot
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /home
for u in $HOME_USERS; do
  mkdir -m 0750 "/home/${u%%:*}"
  chown "${u#*:}:${u#*:}" "/home/${u%%:*}"
done

printf '%s\n' "$NODE_HOSTNAME" >/proc/sys/kernel/hostname
# shellcheck disable=SC2086
sysctl -q -w $NET_SYSCTLS

sock=/run/containerd/containerd.sock
want=$(printf '%o' "$((8#$SOCKET_MODE))")
if command -v containerd >/dev/null 2>&1; then
  # The host has containerd: each node runs its own daemon, so `ctr version` over the node's socket gets a real
  # answer in milliseconds. It reads a lab config (CRI off, state and root in the node dir), not the node's
  # /etc/containerd/config.toml: that file is what the audit reads, and a broken variant must not stop the lab.
  mkdir -p "$nd/containerd-root"
  printf 'version = 2\nroot = "%s"\nstate = "/run/containerd"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "%s"\n' \
    "$nd/containerd-root" "$sock" >"$nd/containerd-lab.toml"
  containerd --config "$nd/containerd-lab.toml" >"$nd/containerd.log" 2>&1 &
  holder=$!
  for _ in $(seq 200); do
    [ -S "$sock" ] && break
    kill -0 "$holder" 2>/dev/null || break
    sleep 0.05
  done
  [ -S "$sock" ] && chown "$SOCKET_UID:$SOCKET_GID" "$sock" && chmod "$SOCKET_MODE" "$sock"
else
  # No containerd on the host: a stand-in holds a real listening unix socket with the variant's mode and owner.
  "$NODE_BIN" -e '
const net = require("node:net"), fs = require("node:fs");
const [path, mode, uid, gid] = process.argv.slice(1); // the last argument only tags the process with its node dir
net.createServer((c) => c.destroy()).listen(path, () => {
  fs.chownSync(path, Number(uid), Number(gid));
  fs.chmodSync(path, parseInt(mode, 8));
});
' "$sock" "$SOCKET_MODE" "$SOCKET_UID" "$SOCKET_GID" "$nd" &
  holder=$!
fi
for _ in $(seq 200); do
  [ -S "$sock" ] && [ "$(stat -c %a "$sock")" = "$want" ] && break
  kill -0 "$holder" 2>/dev/null || break
  sleep 0.05
done
[ -S "$sock" ] && [ "$(stat -c %a "$sock")" = "$want" ] || { echo "node-init: containerd socket did not come up (see $nd/containerd.log)" >&2; exit 1; }

exec /usr/sbin/sshd -D -e -f "$nd/sshd_config"
