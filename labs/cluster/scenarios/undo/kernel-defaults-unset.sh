#!/usr/bin/env bash
# Undoes ../kernel-defaults-unset.sh: the worker's kernel tunables back to node.env's KERNEL_TUNABLES (the
# guide's values), its /etc/sysctl.d as up.sh wrote it, and the kubelet started again. No-op when not applied.
source "$(dirname "$0")/../lib.sh"
[ -f "$dir/kernel-defaults-unset.applied" ] || exit 0
tunables=$(. "$nd/node.env" && echo "$KERNEL_TUNABLES")
set_node_tunables "$tunables"
nsenter_node rm -f /etc/sysctl.d/k8s.conf
nsenter_node sh -c 'cat >/etc/sysctl.d/99-kubernetes.conf' <"$dir/99-kubernetes.conf.orig"
rm "$dir/99-kubernetes.conf.orig"
rm "$dir/kernel-defaults-unset.applied"
assert_host_tunables
kubelet_running || restart_kubelet
echo "kernel-defaults-unset undone: the worker's tunables are $tunables again; the kubelet runs"
