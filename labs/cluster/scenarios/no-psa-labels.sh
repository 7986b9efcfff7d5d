#!/usr/bin/env bash
# Scenario "workload namespace without Pod Security labels": flask-apps loses its enforce label, so Pod
# Security admission admits hostPath and privileged pods there. healthy.sh undoes it.
source "$(dirname "$0")/lib.sh"
kubectl label namespace flask-apps pod-security.kubernetes.io/enforce- pod-security.kubernetes.io/enforce-version- >/dev/null
echo "no-psa-labels: flask-apps has no pod-security.kubernetes.io/enforce label"
