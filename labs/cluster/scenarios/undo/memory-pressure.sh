#!/usr/bin/env bash
# Undoes ../memory-pressure.sh; does nothing when that scenario is not applied. The kubelet config goes back and the
# kubelet is restarted here, not in healthy.sh's later step, because CoreDNS (which the evictions may have taken
# away) can only become Ready again on a kubelet without the raised threshold, and healthy.sh promises it Ready.
source "$(dirname "$0")/../lib.sh"
[ -f "$dir/memory-pressure.applied" ] || exit 0
nsenter_node sh -c "cat >$kubelet_config" <"$dir/kubelet-config.orig"
rm "$dir/kubelet-config.orig"
restart_kubelet
# Evicted pods of a Deployment are replaced; wait until every replica is available and kube-dns has an endpoint.
kubectl -n kube-system rollout status deployment coredns --timeout=120s >/dev/null
# The pods it evicted stay behind as finished (kubectl shows them Completed): remove CoreDNS's, so "healthy" lists
# only its running replica.
for phase in Failed Succeeded; do
  kubectl -n kube-system delete pods -l k8s-app=kube-dns --field-selector="status.phase=$phase" --ignore-not-found >/dev/null
done
rm "$dir/memory-pressure.applied"
echo "memory-pressure undone: kubelet config restored, no MemoryPressure, CoreDNS Ready"
