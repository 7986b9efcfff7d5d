#!/bin/sh
# Drift: --streaming-connection-idle-timeout=0 on the command line (KUBELET_EXTRA_ARGS in /etc/default/kubelet)
# disables the streaming timeout and fails KUBELET-3.3.7, while kubeadm's `streamingConnectionIdleTimeout: 0s` in the
# file (left in place) means "the 4h default" and must not be blamed.
set -eu
f=/etc/default/kubelet
cur=$(sed -n 's/^KUBELET_EXTRA_ARGS=//p' "$f" | tail -n 1 | sed 's/^"\(.*\)"$/\1/')
{ grep -v '^KUBELET_EXTRA_ARGS=' "$f" || true
  echo "KUBELET_EXTRA_ARGS=\"${cur:+$cur }--streaming-connection-idle-timeout=0\""; } >"$f.new"
cat "$f.new" >"$f" && rm "$f.new"
systemctl restart kubelet
for _ in 1 2 3 4 5 6 7 8 9 10; do ss -Hltn 'sport = :10250' | grep -q . && break; sleep 1; done
grep '^streamingConnectionIdleTimeout:' /var/lib/kubelet/config.yaml || true
grep '^KUBELET_EXTRA_ARGS=' "$f"
