#!/usr/bin/env bash
# Scenario "the kubelet lost its client CA": authentication.x509.clientCAFile is removed from the kubelet config and
# the kubelet restarted, so the API server's client certificate no longer authenticates it to the kubelet (401 on
# pods/log, exec, port-forward). healthy.sh puts the file back and restarts it.
source "$(dirname "$0")/lib.sh"
save_kubelet_config
# up.sh's layout: `x509:` with `clientCAFile:` as its only key. Both lines go, so x509 authentication is off.
nsenter_node sed -i -e '/^  x509:$/d' -e '/^    clientCAFile: /d' "$kubelet_config"
! nsenter_node grep -q 'clientCAFile' "$kubelet_config" ||
  { echo "kubelet-no-client-ca: $kubelet_config does not have the layout this script edits" >&2; exit 1; }
restart_kubelet
echo "kubelet-no-client-ca: kubelet restarted without authentication.x509.clientCAFile"
