#!/usr/bin/env bash
# Undoes ../seccomp-guide-literal.sh: the traps-avoided profile up.sh installed (its copy in DIR). A no-op when it
# is already there.
source "$(dirname "$0")/../lib.sh"
cmp -s "$dir/web-app.healthy.json" "$nd/kubelet-root/seccomp/profiles/web-app.json" ||
  install -m 0644 "$dir/web-app.healthy.json" "$nd/kubelet-root/seccomp/profiles/web-app.json"
