#!/usr/bin/env bash
# Scenario "no pod network": every packet the worker forwards from its pod bridge (kube-bridge) is dropped, as
# when a CNI's datapath is broken: pod to pod, pod to Service and pod to the API server all go nowhere, while the
# kubelet still reaches its pods (its readiness probes leave the node itself and their answers are delivered
# locally, never forwarded), so server pods still become Ready. The rule sits in the mangle table's FORWARD chain
# of the worker's network namespace: it comes before filter's FORWARD, where kube-router ACCEPTs the traffic its
# policies allow, and neither kube-router nor kube-proxy rewrites mangle FORWARD. `--undo` (what
# undo/no-pod-network.sh runs) deletes it.
source "$(dirname "$0")/lib.sh"
rule=(FORWARD -i kube-bridge -m comment --comment "nodegate-lab no-pod-network" -j DROP)
present() { nsenter_node iptables -w -t mangle -C "${rule[@]}" 2>/dev/null; }

if [ "${1:-}" = --undo ]; then
  # Not applied: the loop does nothing (healthy.sh runs this every time).
  while present; do nsenter_node iptables -w -t mangle -D "${rule[@]}"; done
  exit 0
fi

present || nsenter_node iptables -w -t mangle -I "${rule[@]}"
present
echo "no-pod-network: the worker drops every packet forwarded from kube-bridge"
