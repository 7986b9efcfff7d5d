#!/usr/bin/env bash
# Undoes ../coredns-down.sh (CoreDNS scaled back and Ready); does nothing when that scenario is not applied.
exec "$(dirname "$0")/../coredns-down.sh" --undo
