#!/bin/sh
# The worker's kubelet command line, built as kubeadm's systemd drop-in builds it: the flags files are read at
# every start, so a scenario edits them and restarts the kubelet. (@BIN@ is filled in by up.sh.)
KUBELET_KUBEADM_ARGS=""
KUBELET_EXTRA_ARGS=""
[ -f /var/lib/kubelet/kubeadm-flags.env ] && . /var/lib/kubelet/kubeadm-flags.env
[ -f /etc/default/kubelet ] && . /etc/default/kubelet
# shellcheck disable=SC2086
exec @BIN@/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml \
  $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
