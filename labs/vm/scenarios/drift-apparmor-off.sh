#!/bin/sh
# nodegate-vm kernel-args: apparmor=0
# Drift: AppArmor disabled on the kernel command line. It is a boot option, not a change a script can make: boot the
# VM with startVm({ kernelArgs: 'apparmor=0' }) (boot.sh --kernel-args apparmor=0); this script only confirms it.
set -eu
grep -qw 'apparmor=0' /proc/cmdline || { echo "not booted with apparmor=0 (kernel args: $(cat /proc/cmdline))" >&2; exit 3; }
echo "apparmor enabled: $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo absent)"
