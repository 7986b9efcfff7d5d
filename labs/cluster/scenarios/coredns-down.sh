#!/usr/bin/env bash
# Scenario "CoreDNS down": the cluster DNS Deployment is scaled to 0 and its pod waited away, so it stays away
# (nothing recreates it) and kube-dns (10.96.0.10) has no endpoint: kube-proxy rejects queries to it. `--undo`
# (what undo/coredns-down.sh runs) scales it back to the replicas it had and waits until it is Ready.
source "$(dirname "$0")/lib.sh"
saved="$dir/coredns-replicas.orig"

if [ "${1:-}" = --undo ]; then
  # Not applied: nothing to do (healthy.sh runs this every time).
  [ -f "$saved" ] || exit 0
  # CoreDNS is Ready only once it has synced with the API server through the pod network: with no-pod-network
  # still applied (healthy.sh runs the undos in name order) the wait below would time out. Its undo is a no-op
  # when it is not applied.
  "$(dirname "$0")/undo/no-pod-network.sh"
  kubectl -n kube-system scale deployment coredns --replicas="$(cat "$saved")" >/dev/null
  kubectl -n kube-system rollout status deployment coredns --timeout=120s >/dev/null
  # Ready pods are what kube-proxy puts behind the Service; wait for the endpoint, not only the Deployment.
  for _ in $(seq 100); do
    [ -n "$(kubectl -n kube-system get endpointslices -l kubernetes.io/service-name=kube-dns -o jsonpath='{.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}')" ] && break
    sleep 0.2
  done
  rm -f "$saved"
  echo "coredns-down undone: CoreDNS is Ready again"
  exit 0
fi

[ -f "$saved" ] || kubectl -n kube-system get deployment coredns -o jsonpath='{.spec.replicas}' >"$saved"
kubectl -n kube-system scale deployment coredns --replicas=0 >/dev/null
kubectl -n kube-system wait --for=delete pod -l k8s-app=kube-dns --timeout=60s >/dev/null
echo "coredns-down: the coredns Deployment has 0 replicas; kube-dns has no endpoint"
