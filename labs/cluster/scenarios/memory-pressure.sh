#!/usr/bin/env bash
# Scenario "memory pressure": evictionHard memory.available is set to this host's MemTotal less 64Mi, above what it
# has available (read from /proc/meminfo at scenario time; nothing allocates memory), and the kubelet restarted, so
# its eviction manager sees the threshold crossed and the Node reports MemoryPressure=True. systemReserved and
# kubeReserved go too: the kubelet refuses to start when reservations plus the hard threshold exceed capacity
# ("invalid Node Allocatable configuration"). The kubelet may evict pods (CoreDNS); healthy.sh puts the file back
# through undo/memory-pressure.sh, which restarts the kubelet (a new kubelet starts with no pressure) and waits
# until CoreDNS is Ready again.
source "$(dirname "$0")/lib.sh"
save_kubelet_config
touch "$dir/memory-pressure.applied"
avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
total_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
threshold_mi=$((total_kib / 1024 - 64))
[ $((threshold_mi * 1024)) -gt "$avail_kib" ] ||
  { echo "memory-pressure: MemAvailable ${avail_kib} kB is within 64Mi of MemTotal ${total_kib} kB; no threshold between them" >&2; exit 1; }
# Each reservation is a key followed by indented lines: drop the key and its block (as reservations-removed.sh).
nsenter_node sh -c "awk '/^(systemReserved|kubeReserved):/ { skip = 1; next } skip && /^[[:space:]]/ { next } { skip = 0; print }' $kubelet_config >$kubelet_config.new && mv $kubelet_config.new $kubelet_config"
nsenter_node sed -i "/^evictionHard:\$/,/^[^ ]/ s/^  memory.available: .*/  memory.available: \"${threshold_mi}Mi\"/" "$kubelet_config"
nsenter_node grep -qx "  memory.available: \"${threshold_mi}Mi\"" "$kubelet_config" ||
  { echo "memory-pressure: $kubelet_config does not have the layout this script edits" >&2; exit 1; }
restart_kubelet
# The eviction manager observes every 10 s; the condition follows its next status update.
for _ in $(seq 60); do
  [ "$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="MemoryPressure")].status}')" = True ] && break
  sleep 1
done
[ "$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="MemoryPressure")].status}')" = True ] ||
  { echo "memory-pressure: the Node reports no MemoryPressure 60 s after evictionHard memory.available ${threshold_mi}Mi" >&2; exit 1; }
echo "memory-pressure: evictionHard memory.available ${threshold_mi}Mi (MemAvailable $((avail_kib / 1024))Mi, MemTotal $((total_kib / 1024))Mi); Node MemoryPressure=True"
