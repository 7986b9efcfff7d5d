#!/usr/bin/env bash
# Tears the cluster lab down (root), whatever state up.sh left it in: ends the worker's PID namespace (which ends
# containerd, the kubelet, every container and its shim), removes the pod cgroups the kubelet made, deletes the
# worker's network namespace (and with it every iptables and ipset rule kube-proxy and kube-router wrote), stops
# the control plane by the pids up.sh recorded, and removes DIR. Idempotent.
#
#   labs/cluster/down.sh [--dir DIR]      # default /tmp/nodegate-cluster
set -euo pipefail
dir=/tmp/nodegate-cluster
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 [--dir DIR]" >&2; exit 2 ;;
  esac
done
netns=ngc-worker
log() { printf '[cluster-down] %s\n' "$*" >&2; }

# stop PIDFILE EXPECTED: SIGTERM, then SIGKILL after 10 s, only if the pid still runs the expected program.
stop() {
  local pidfile=$1 expected=$2 pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$expected"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
}

# The worker first. unshare --fork blocks SIGTERM while it waits, so the namespace's PID 1 (its child) gets the
# SIGKILL; the kernel then kills every process of the namespace, the containers' nested ones included, and
# unshare exits.
if [[ -f $dir/run/node.pid ]]; then
  upid=$(cat "$dir/run/node.pid")
  if [[ -r /proc/$upid/cmdline ]] && tr '\0' ' ' <"/proc/$upid/cmdline" | grep -q -- node-init.sh; then
    for child in $(pgrep -P "$upid" || true); do kill -KILL "$child" 2>/dev/null || true; done
  fi
  stop "$dir/run/node.pid" node-init.sh
fi
# Pod cgroups (cgroupfs driver) outlive their processes until removed, deepest first.
for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
  for top in kubepods kubepods.slice; do
    [[ -d $h$top ]] || continue
    for _ in $(seq 50); do
      find "$h$top" -depth -type d -exec rmdir {} + 2>/dev/null || true
      [[ -d $h$top ]] || break
      sleep 0.1
    done
    [[ -d $h$top ]] && log "could not remove cgroup $h$top (processes left in it?)"
  done
done
if ip netns list | grep -qw "$netns"; then ip netns delete "$netns"; fi
# Deleting the namespace takes its end of the veth pair and with it the host end; only a half-made lab has one left.
ip link delete ngc0 2>/dev/null || true

for c in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop "$dir/run/$c.pid" "$c"; done

if [[ -f $dir/host-tunables ]] && ! sysctl -n vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops | cmp -s - "$dir/host-tunables"; then
  log "the host's vm.overcommit_memory/vm.panic_on_oom/kernel.panic/kernel.panic_on_oops differ from before up.sh ($(tr '\n' ' ' <"$dir/host-tunables"))"
  exit 1
fi
left=$(pgrep -f -- "$dir/" || true)
[[ -z $left ]] || { log "processes still refer to $dir: $left"; exit 1; }
# Nothing of the lab's belongs in the host's own tables: kube-proxy and kube-router only ever ran in the worker's
# namespace. Say so if a rule naming the lab's ranges is there anyway.
if command -v iptables-save >/dev/null && iptables-save 2>/dev/null | grep -qE 'KUBE-|10\.244\.|10\.96\.|10\.251\.'; then
  log "the host's iptables holds rules naming the lab's chains or ranges"
  exit 1
fi
rm -rf "$dir"
log "down"
