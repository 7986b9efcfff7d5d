#!/usr/bin/env bash
# PID 1 of one namespace-lab node (started by lab.sh inside the node's netns, mount, UTS and PID namespaces):
# lays the node's files over the real paths, sets its hostname and net.* sysctls, stands up the containerd socket,
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

# Stand-in for containerd's socket: a real listening unix socket with the variant's mode and owner.
sock=/run/containerd/containerd.sock
"$NODE_BIN" -e '
const net = require("node:net"), fs = require("node:fs");
const [path, mode, uid, gid] = process.argv.slice(1); // the last argument only tags the process with its node dir
net.createServer((c) => c.destroy()).listen(path, () => {
  fs.chownSync(path, Number(uid), Number(gid));
  fs.chmodSync(path, parseInt(mode, 8));
});
' "$sock" "$SOCKET_MODE" "$SOCKET_UID" "$SOCKET_GID" "$nd" &
holder=$!
want=$(printf '%o' "$((8#$SOCKET_MODE))")
for _ in $(seq 200); do
  [ -S "$sock" ] && [ "$(stat -c %a "$sock")" = "$want" ] && break
  kill -0 "$holder" 2>/dev/null || break
  sleep 0.05
done
[ -S "$sock" ] && [ "$(stat -c %a "$sock")" = "$want" ] || { echo "node-init: socket stand-in did not come up" >&2; exit 1; }

exec /usr/sbin/sshd -D -e -f "$nd/sshd_config"
