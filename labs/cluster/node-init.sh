#!/usr/bin/env bash
# PID 1 of the cluster lab's worker (started by up.sh inside the node's network namespace and new mount, UTS and
# PID namespaces): lays the node's files over the real paths, starts containerd with CRI, the kubelet and
# kube-proxy, then becomes the node's OpenSSH server. When it dies the kernel ends
# every process of the PID namespace, containers included: that is how down.sh leaves nothing running.
set -euo pipefail
nd=$1
# shellcheck source=/dev/null
. "$nd/node.env"

# A private /run (the node's containerd socket and state, no host /run/systemd so nothing believes systemd runs).
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mkdir -m 0755 /run/sshd /run/containerd /run/cgroup-keep
# sysfs as seen from the node's network namespace (its own interfaces under /sys/class/net), with the host's
# cgroup hierarchies moved over from the old /sys: the kubelet and runc manage pods' cgroups through them.
mount --rbind /sys/fs/cgroup /run/cgroup-keep
mount -t sysfs sysfs /sys
mount --move /run/cgroup-keep /sys/fs/cgroup
rmdir /run/cgroup-keep 2>/dev/null || true
# /etc as an overlay: the node's files (kubeconfigs, containerd and CNI config) over the host's; fixes replace
# files by rename, which a bind-mounted file would refuse (EBUSY).
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$nd/etc,workdir=$nd/work-etc" /etc
mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$nd/varlib,workdir=$nd/work-varlib" /var/lib
# containerd's snapshots are overlay mounts themselves, which cannot have an overlay as their upper layer, and
# the kubelet's pod volumes want a plain filesystem: both get real directories.
mkdir -p /var/lib/containerd /var/lib/kubelet /var/log
mount --bind "$nd/containerd-root" /var/lib/containerd
mount --bind "$nd/kubelet-root" /var/lib/kubelet
mount --bind "$nd/log" /var/log
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /home

printf '%s\n' "$NODE_NAME" >/proc/sys/kernel/hostname
# The kernel tunables the kubelet manages (setupKernelTunables in pkg/kubelet/cm/container_manager_linux.go) are
# machine-wide, not per namespace: with protectKernelDefaults off a kubelet here rewrites the shared host's
# vm.overcommit_memory, kernel.panic and kernel.panic_on_oops (measured: it did), with it on it judges the host's.
# The node gets its own: one file per tunable (KERNEL_TUNABLES, "path=value ...") bind-mounted over /proc/sys, so
# the kubelet, and nodegate over SSH, read and write the node's values. No bind, no node: set -e stops here.
mkdir -p "$nd/proc-sys"
for kv in $KERNEL_TUNABLES; do
  path=${kv%%=*}
  file="$nd/proc-sys/$(echo "$path" | tr / .)"
  echo "${kv#*=}" >"$file"
  mount --bind "$file" "/proc/sys/$path"
  [ "$(cat "/proc/sys/$path")" = "${kv#*=}" ]
done
# containerd's CRI streaming server and the kubelet's healthz listen on the node's loopback.
ip link set lo up
# Per network namespace on this kernel: forwarding for pod traffic, and bridged pod-to-pod traffic through
# iptables so NetworkPolicy rules see it.
sysctl -q -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1

start() { # start NAME COMMAND...: background, log to $nd/log/NAME.log, pid (in this namespace) to /run/NAME.pid
  local name=$1
  shift
  "$@" >>"$nd/log/$name.log" 2>&1 &
  echo $! >"/run/$name.pid"
}

start containerd containerd --config /etc/containerd/config.toml
for _ in $(seq 200); do [ -S /run/containerd/containerd.sock ] && break; sleep 0.05; done
[ -S /run/containerd/containerd.sock ] || { echo "node-init: containerd did not start (see $nd/log/containerd.log)" >&2; exit 1; }

# The kubelet is started by this node's own script, like systemd's unit would: kubelet-run.sh reads the flags
# file so a scenario can change them and restart it.
start kubelet "$nd/kubelet-run.sh"
start kube-proxy "$BIN/kube-proxy" --kubeconfig=/etc/kubernetes/kube-proxy.conf --hostname-override="$NODE_NAME" \
  --proxy-mode=iptables --cluster-cidr="$POD_CIDR" --conntrack-max-per-core=0 \
  --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 --metrics-bind-address=127.0.0.1:10249
# kube-router starts from up.sh once the kubelet has registered the node: it exits when the Node object is not
# there yet ("failed to identify the node").

exec /usr/sbin/sshd -D -e -f "$nd/sshd_config"
