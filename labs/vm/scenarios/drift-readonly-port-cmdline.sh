#!/bin/sh
# Drift: the config file opens the read-only port (readOnlyPort: 10255) while the command line closes it
# (--read-only-port=0 in /etc/default/kubelet, the file whose KUBELET_EXTRA_ARGS wins). The flag beats the file, so
# nothing listens on 10255: KUBELET-3.3.1 passes on the effective value and its message shows both layers.
set -eu
cfg=/var/lib/kubelet/config.yaml
if grep -q '^readOnlyPort:' "$cfg"; then sed -i 's/^readOnlyPort:.*/readOnlyPort: 10255/' "$cfg"
else echo 'readOnlyPort: 10255' >>"$cfg"; fi
f=/etc/default/kubelet
cur=$(sed -n 's/^KUBELET_EXTRA_ARGS=//p' "$f" | tail -n 1 | sed 's/^"\(.*\)"$/\1/')
{ grep -v '^KUBELET_EXTRA_ARGS=' "$f" || true; echo "KUBELET_EXTRA_ARGS=\"${cur:+$cur }--read-only-port=0\""; } >"$f.new"
cat "$f.new" >"$f" && rm "$f.new"
systemctl restart kubelet
for _ in 1 2 3 4 5 6 7 8 9 10; do ss -Hltn 'sport = :10250' | grep -q . && break; sleep 1; done
grep '^readOnlyPort:' "$cfg"; grep '^KUBELET_EXTRA_ARGS=' "$f"
