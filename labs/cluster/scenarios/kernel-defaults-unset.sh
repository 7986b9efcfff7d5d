#!/usr/bin/env bash
# Scenario "the guide applied literally": the guide turns protectKernelDefaults on in the kubelet config but
# persists only its three network sysctls (/etc/sysctl.d/k8s.conf), so the kernel tunables the kubelet demands
# keep the kernel's defaults, and the restarted kubelet refuses to start ("invalid kernel flag"). Only the
# worker's own copies of those tunables change (node-init.sh bind-mounts one file per tunable over its /proc/sys);
# this host's real kernel.* and vm.* sysctls are never written. undo/kernel-defaults-unset.sh puts everything back.
source "$(dirname "$0")/lib.sh"
# The kernel's own defaults (mm/util.c sysctl_overcommit_memory = OVERCOMMIT_GUESS; kernel/panic.c panic_timeout =
# CONFIG_PANIC_TIMEOUT and panic_on_oops = CONFIG_PANIC_ON_OOPS, both 0 by default; security/keys/key.c root quotas).
kernel_defaults="vm/overcommit_memory=0 vm/panic_on_oom=0 kernel/panic=0 kernel/panic_on_oops=0 kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000"
[ -f "$dir/kernel-defaults-unset.applied" ] && { echo "kernel-defaults-unset: already applied" >&2; exit 1; }
nsenter_node cat /etc/sysctl.d/99-kubernetes.conf >"$dir/99-kubernetes.conf.orig"
# From here on the undo has something to do, even if a step below fails.
touch "$dir/kernel-defaults-unset.applied"
set_node_tunables "$kernel_defaults"
# What the guide persists (its "Configure sysctl" step) instead of the lab's 99-kubernetes.conf.
nsenter_node rm -f /etc/sysctl.d/99-kubernetes.conf
nsenter_node sh -c 'cat >/etc/sysctl.d/k8s.conf' <<'SYSCTL'
net.bridge.bridge-nf-call-iptables  = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward                 = 1
SYSCTL
nsenter_node grep -qx 'protectKernelDefaults: true' "$kubelet_config" ||
  { echo "kernel-defaults-unset: $kubelet_config does not say protectKernelDefaults: true as the guide does" >&2; exit 1; }
assert_host_tunables
# systemctl restart kubelet: the new process reads the tunables, refuses them and exits.
log_from=$(stat -c %s "$nd/log/kubelet.log")
stop_kubelet
start_kubelet
for _ in $(seq 600); do kubelet_running || break; sleep 0.1; done
kubelet_running && { echo "kernel-defaults-unset: the kubelet still runs 60 s after its restart" >&2; exit 1; }
refused=$(tail -c +"$((log_from + 1))" "$nd/log/kubelet.log" | grep -m1 'invalid kernel flag' || true)
[ -n "$refused" ] || { echo "kernel-defaults-unset: the kubelet exited without logging an invalid kernel flag (see $nd/log/kubelet.log)" >&2; exit 1; }
echo "kernel-defaults-unset: the kubelet exited: ${refused:0:400}"
