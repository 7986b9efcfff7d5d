#!/usr/bin/env bash
# Scenario "maxPods lowered": the kubelet config says maxPods: 50 instead of the guide's 110 and the kubelet is
# restarted, so the Node's allocatable.pods is 50. healthy.sh puts the file back and restarts it.
source "$(dirname "$0")/lib.sh"
save_kubelet_config
nsenter_node sed -i 's/^maxPods: 110$/maxPods: 50/' "$kubelet_config"
nsenter_node grep -qx 'maxPods: 50' "$kubelet_config" ||
  { echo "max-pods: $kubelet_config has no 'maxPods: 110' line to edit" >&2; exit 1; }
restart_kubelet
echo "max-pods: kubelet restarted with maxPods 50"
