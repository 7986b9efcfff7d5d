#!/usr/bin/env bash
# What `npm test` runs: the type check, then two Vitest runs side by side — the unit, namespace-lab and VM tiers in
# one, the real-cluster tier in the other (its global setup brings the cluster lab up and down, so it needs a run
# of its own) — so CI waits for the longer of the two instead of their sum. The labs do not share addresses, and
# each tier runs its own lab one at a time. The cluster run's output is kept and printed when both have ended, so
# the two runs' lines do not interleave; the exit code is the first tier's failure, else the cluster tier's.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/node.sh node_modules/typescript/bin/tsc --noEmit || exit $?
vitest() { scripts/node.sh node_modules/vitest/vitest.mjs run --config test/vitest.config.ts "$@"; }
log=$(mktemp -t nodegate-cluster-tier.XXXXXX)
vitest --project cluster >"$log" 2>&1 &
cluster=$!
# Ctrl-C reaches both runs (same process group); a TERM sent to this script alone is passed on.
trap 'kill -TERM "$cluster" 2>/dev/null' TERM
vitest --project unit+lab --project vm
first=$?
wait "$cluster"
second=$?
printf '\n==== cluster tier (ran beside the tiers above; exit %s) ====\n' "$second"
cat "$log"
rm -f "$log"
[ "$first" -ne 0 ] && exit "$first"
exit "$second"
