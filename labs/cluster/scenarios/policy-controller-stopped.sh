#!/usr/bin/env bash
# Scenario "policy controller stopped": kube-router (the CNI's NetworkPolicy controller) is killed, so a
# NetworkPolicy created from now on is stored but never enforced. Its chains for existing policies are flushed
# too (kube-router --cleanup-config), as after a crash and restart of the node without it. healthy.sh undoes it.
source "$(dirname "$0")/lib.sh"
nsenter_node sh -c 'p=$(cat /run/kube-router.pid 2>/dev/null) && kill "$p" 2>/dev/null; for i in $(seq 50); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.1; done; kill -9 "$p"' || true
nsenter_node "$bin/kube-router" --cleanup-config >>"$nd/log/kube-router.log" 2>&1 || true
echo "policy-controller-stopped: kube-router is not running; NetworkPolicy is not enforced"
