#!/usr/bin/env bash
# Stops a VM started by boot.sh. The disk is a -snapshot overlay, so there is nothing to shut down cleanly: qemu is
# ended by its own pid (SIGTERM, then SIGKILL after 5 s) and the state dir is removed.
#   stop.sh --state DIR [--keep]      idempotent
set -euo pipefail
STATE= KEEP=
while [ $# -gt 0 ]; do
  case $1 in
    --state) STATE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "usage: stop.sh --state DIR [--keep]" >&2; exit 2 ;;
  esac
done
[ -n "$STATE" ] || { echo "stop.sh: --state DIR is required" >&2; exit 2; }
if pid=$(cat "$STATE/qemu.pid" 2>/dev/null) && [ -n "$pid" ]; then
  # Only ever a qemu we started: the pid file must still name a qemu process.
  if grep -q qemu "/proc/$pid/comm" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/qemu.pid"
fi
[ -n "$KEEP" ] || rm -rf "$STATE"
