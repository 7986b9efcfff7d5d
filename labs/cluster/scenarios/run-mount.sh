#!/usr/bin/env bash
# Scenario "a pod mounting /run": with flask-apps' enforce label removed (no-psa-labels.sh), a pod there mounts the
# node's /run (containerd's socket lives there) as hostPath. healthy.sh deletes it and restores the label.
source "$(dirname "$0")/lib.sh"
"$(dirname "$0")/no-psa-labels.sh" >/dev/null
shell=$(sed -n 's/^ *shell: //p' "$dir/images-profile.yaml")
kubectl -n flask-apps apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: { name: run-mounter }
spec:
  # sleep as the container's PID 1 ignores SIGTERM: without this, healthy.sh's delete waits out the default 30 s.
  terminationGracePeriodSeconds: 1
  containers:
    - { name: sh, image: $shell, imagePullPolicy: Never, command: [sleep, "3600"], volumeMounts: [{ name: run, mountPath: /host-run }] }
  volumes: [{ name: run, hostPath: { path: /run } }]
YAML
kubectl -n flask-apps wait --for=condition=Ready pod/run-mounter --timeout=60s >/dev/null
echo "run-mount: flask-apps/run-mounter mounts the node's /run"
