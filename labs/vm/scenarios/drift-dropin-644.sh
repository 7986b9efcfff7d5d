#!/bin/sh
# Drift: kubeadm's kubelet drop-in readable by everyone again (0644, as the package ships it), the rest untouched.
# Fails KUBELET-3.2.1 (CIS 4.1.1) after guide-traps-avoided.sh made every unit file 0600.
set -eu
chmod 644 /etc/systemd/system/kubelet.service.d/10-kubeadm.conf
stat -c '%a %U:%G %n' /etc/systemd/system/kubelet.service.d/10-kubeadm.conf
