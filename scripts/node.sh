#!/usr/bin/env bash
# Runs the Node this checkout uses: the one scripts/setup.sh put in .tools/node, else the one on PATH.
here="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -x "$here/.tools/node/bin/node" ]]; then exec "$here/.tools/node/bin/node" "$@"; fi
exec node "$@"
