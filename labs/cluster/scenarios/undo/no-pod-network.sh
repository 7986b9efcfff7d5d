#!/usr/bin/env bash
# Undoes ../no-pod-network.sh (its DROP rule deleted); does nothing when that scenario is not applied.
exec "$(dirname "$0")/../no-pod-network.sh" --undo
