#!/usr/bin/env bash
# Scenario "anonymous kubelet API": the kubelet config gets authentication.anonymous.enabled: true and
# authorization.mode: AlwaysAllow, and the kubelet is restarted, so an unauthenticated GET
# https://NODE:10250/pods is served (200) instead of refused (401). healthy.sh puts the file back and restarts it.
source "$(dirname "$0")/lib.sh"
save_kubelet_config
# The file as up.sh writes it (labs/cluster/node/kubelet-config.yaml): `enabled:` right under `anonymous:`, and
# authorization's `mode:`. Both edits are checked below, so a changed layout stops here instead of half-applying.
nsenter_node sed -i -e '/^  anonymous:$/,/^    enabled:/ s/^    enabled: .*/    enabled: true/' \
  -e 's/^  mode: Webhook$/  mode: AlwaysAllow/' "$kubelet_config"
nsenter_node sh -c "grep -A1 '^  anonymous:\$' $kubelet_config | grep -qx '    enabled: true' && grep -qx '  mode: AlwaysAllow' $kubelet_config" ||
  { echo "anonymous-auth: $kubelet_config does not have the layout this script edits" >&2; exit 1; }
restart_kubelet
echo "anonymous-auth: kubelet restarted with anonymous authentication and AlwaysAllow authorization"
