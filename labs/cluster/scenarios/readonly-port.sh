#!/usr/bin/env bash
# Scenario "read-only port on": the kubelet config file gets readOnlyPort: 10255. Without --restart the file says
# 10255 while the running kubelet (/configz) still says 0; with --restart the kubelet serves 10255 unauthenticated.
# healthy.sh puts the file back and restarts the kubelet.
source "$(dirname "$0")/lib.sh"
save_kubelet_config
nsenter_node sed -i 's/^readOnlyPort: .*/readOnlyPort: 10255/' "$kubelet_config"
if [ "${1:-}" = --restart ]; then restart_kubelet; echo "readonly-port: kubelet restarted with readOnlyPort 10255"
else echo "readonly-port: the file says readOnlyPort 10255; the running kubelet still has 0"; fi
