#!/usr/bin/env bash
# Scenario "memory limit ignored": the worker's containerd runs runc through a wrapper that raises every memory
# limit to a 1Gi cap of the scenario's own before exec'ing the real runc, so a pod's limit (the memory bomb's
# 200Mi) is not enforced. `--undo` (what undo/memory-limit-ignored.sh runs) puts containerd's config back.
#
# Why the pod cgroup too: on this cgroup v1 host the kubelet sizes each pod's own cgroup
# (kubepods/<qos>/pod<uid>) to the sum of its containers' limits before the sandbox starts, and the container's
# cgroup is inside it, so dropping only the container's limit still OOM-kills the bomb (measured: OOMKilled). The
# wrapper raises that one as well, at the sandbox's `runc create`, which runs after the kubelet made it.
# Why a cap and not "unlimited": the lab shares this machine; a pod under the wrapper still cannot take more
# than 1Gi of it (the bomb holds 500M), and kubepods keeps the node's allocatable as its limit above that.
source "$(dirname "$0")/lib.sh"
wrapper="$nd/runc-memory-limit-ignored"
containerd_config=/etc/containerd/config.toml
saved="$dir/containerd-config.orig"

# Restarts the worker's containerd as systemctl restart containerd would (running containers keep their shims),
# then waits for its socket and for the kubelet to report the Node Ready through it again.
restart_containerd() {
  nsenter_node sh -c 'p=$(cat /run/containerd.pid); kill "$p"; for i in $(seq 100); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.1; done; kill -9 "$p"'
  nsenter_node sh -c "rm -f /run/containerd/containerd.sock; setsid containerd --config $containerd_config >>'$nd/log/containerd.log' 2>&1 </dev/null & echo \$! >/run/containerd.pid"
  for _ in $(seq 100); do nsenter_node test -S /run/containerd/containerd.sock && break; sleep 0.1; done
  nsenter_node ctr --address /run/containerd/containerd.sock version >/dev/null
  kubectl wait --for=condition=Ready "node/$node" --timeout=60s >/dev/null
}

if [ "${1:-}" = --undo ]; then
  # Not applied: nothing to do (healthy.sh runs this every time).
  [ -f "$saved" ] || exit 0
  nsenter_node sh -c "cat >$containerd_config" <"$saved"
  restart_containerd
  rm -f "$saved" "$wrapper"
  echo "memory-limit-ignored undone: containerd runs the real runc again"
  exit 0
fi

cat >"$wrapper" <<'SH'
#!/bin/sh
# runc as the cluster lab's memory-limit-ignored scenario leaves it (labs/cluster/scenarios): on create, every
# memory limit in the bundle's config.json and the pod cgroup above it become a 1Gi cap; then the real runc.
cap=1073741824
bundle= create= prev=
for a in "$@"; do
  case $prev in --bundle|-b) bundle=$a ;; esac
  case $a in create|run) create=1 ;; --bundle=*) bundle=${a#--bundle=} ;; esac
  prev=$a
done
if [ -n "$create" ] && [ -f "$bundle/config.json" ]; then
  c="$bundle/config.json"
  jq --argjson cap "$cap" 'if .linux.resources.memory.limit then .linux.resources.memory.limit = $cap | .linux.resources.memory.swap = $cap else . end' "$c" >"$c.ng" && mv "$c.ng" "$c"
  path=$(jq -r '.linux.cgroupsPath // empty' "$c")
  pod="/sys/fs/cgroup/memory${path%/*}"
  if [ -n "$path" ] && [ -f "$pod/memory.limit_in_bytes" ] && [ "$(cat "$pod/memory.limit_in_bytes")" -lt "$cap" ]; then
    echo "$cap" >"$pod/memory.limit_in_bytes"
  fi
fi
exec /usr/sbin/runc "$@"
SH
chmod 0755 "$wrapper"
[ -f "$saved" ] || nsenter_node cat "$containerd_config" >"$saved"
# containerd's runc shim runs options.BinaryName instead of runc from PATH.
nsenter_node sh -c "grep -q '^ *BinaryName' $containerd_config || sed -i 's|^\( *\)\[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options\]\$|&\n\1  BinaryName = \"$wrapper\"|' $containerd_config"
nsenter_node grep -q "BinaryName = \"$wrapper\"" "$containerd_config"
restart_containerd
echo "memory-limit-ignored: containerd runs runc through $wrapper (memory limits raised to a 1Gi cap)"
