#!/usr/bin/env bash
# Scenario "the guide's seccomp profile, literally": profiles/web-app.json as the guide writes it (no fstatfs, no
# clone3 errno), so runc 1.1 cannot start a workload under it ("ensure /proc/self/fd is on procfs: operation not
# permitted") and SEC-4.2.5 fails. undo/seccomp-guide-literal.sh (run by healthy.sh) puts the traps-avoided one back.
source "$(dirname "$0")/lib.sh"
install -m 0644 "$here/../../fixtures/guide/web-app.json" "$nd/kubelet-root/seccomp/profiles/web-app.json"
echo "seccomp-guide-literal: the kubelet's seccomp root has the guide's web-app.json as written"
