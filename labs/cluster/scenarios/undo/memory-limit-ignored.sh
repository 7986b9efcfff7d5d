#!/usr/bin/env bash
# Undoes ../memory-limit-ignored.sh (containerd's original config, containerd restarted, the wrapper removed);
# does nothing when that scenario is not applied.
exec "$(dirname "$0")/../memory-limit-ignored.sh" --undo
