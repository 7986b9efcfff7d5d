#!/usr/bin/env bash
# Scenario "a workload namespace without default deny": django-app's default-deny-ingress NetworkPolicy is deleted,
# so NET-5.4.3 has one profile namespace whose pods accept any ingress. healthy.sh applies the policy again.
source "$(dirname "$0")/lib.sh"
kubectl -n django-app delete networkpolicy default-deny-ingress --ignore-not-found --wait=true >/dev/null
echo "default-deny-missing: django-app has no default-deny-ingress NetworkPolicy"
