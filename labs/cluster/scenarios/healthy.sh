#!/usr/bin/env bash
# Scenario "healthy": the guide's workload namespaces enforce Pod Security (restricted) and carry its
# default-deny-ingress policy, and kube-router's policy controller runs. Also undoes every other scenario here.
source "$(dirname "$0")/lib.sh"
for ns in $workload_namespaces; do
  kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl label --overwrite namespace "$ns" pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/enforce-version=latest >/dev/null
  kubectl -n "$ns" apply -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-ingress }
spec: { podSelector: {}, policyTypes: [Ingress] }
YAML
done
kubectl delete pod -n flask-apps run-mounter --ignore-not-found --wait=true >/dev/null
# kube-router as up.sh starts it, unless it is already running.
if ! nsenter_node sh -c 'kill -0 "$(cat /run/kube-router.pid 2>/dev/null)" 2>/dev/null'; then
  start_in_node /run/kube-router.pid "$nd/log/kube-router.log" "$bin/kube-router" --kubeconfig=/etc/kubernetes/kube-router.conf \
    --hostname-override="$node" --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false --health-port=20244
  # Its first sync programs the policies; NET-5.4.1 run right after would race it.
  sleep 3
fi
# Scenarios that keep their undo beside them (scenarios/undo/NAME.sh) are undone here too; each undo is a no-op
# when its scenario is not applied. They run before the kubelet is restarted below: a kubelet with
# protectKernelDefaults cannot start until undo/kernel-defaults-unset.sh has put the node's kernel tunables back.
for undo in "$(dirname "$0")"/undo/*.sh; do
  [ -e "$undo" ] && "$undo"
done
# The kubelet config as up.sh wrote it (readonly-port.sh, reservations-removed.sh, anonymous-auth.sh change it),
# then restarted; a kubelet a scenario left stopped (kernel-defaults-unset.sh) is started again.
if [ -f "$dir/kubelet-config.orig" ]; then
  nsenter_node sh -c "cat >$kubelet_config" <"$dir/kubelet-config.orig"
  rm "$dir/kubelet-config.orig"
  restart_kubelet
elif ! kubelet_running; then
  restart_kubelet
fi
echo "healthy: workload namespaces labelled restricted with default-deny-ingress; kube-router running"
