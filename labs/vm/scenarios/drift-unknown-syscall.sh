#!/bin/sh
# Drift: a syscall name no architecture has ("pread", the libc wrapper's name; the syscall is pread64) added right
# after "openat" in the installed seccomp profile. Fails SEC-4.2.2, which must name it and its JSON path.
set -eu
p=/var/lib/kubelet/seccomp/profiles/web-app.json
[ -f "$p" ] || { echo "no $p: apply guide-literal.sh or guide-traps-avoided.sh first" >&2; exit 1; }
sed -i '0,/"openat",/s//"openat", "pread",/' "$p"
grep -n '"pread"' "$p"
