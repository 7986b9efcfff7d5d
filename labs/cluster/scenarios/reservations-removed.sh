#!/usr/bin/env bash
# Scenario "reservations removed": systemReserved and kubeReserved are deleted from the kubelet config and the
# kubelet restarted, so allocatable = capacity − eviction threshold only. healthy.sh undoes it.
source "$(dirname "$0")/lib.sh"
save_kubelet_config
# Each reservation is a key followed by indented lines: drop the key and its block.
nsenter_node sh -c "awk '/^(systemReserved|kubeReserved):/ { skip = 1; next } skip && /^[[:space:]]/ { next } { skip = 0; print }' $kubelet_config >$kubelet_config.new && mv $kubelet_config.new $kubelet_config"
restart_kubelet
echo "reservations-removed: the kubelet runs without systemReserved and kubeReserved"
