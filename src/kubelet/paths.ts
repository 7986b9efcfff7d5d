// Where a kubeadm node keeps the kubelet's unit, drop-ins, env files and config: shared by the probe's requests
// and the model that reads them back.

/** systemd's unit search path for system units, highest precedence first (/lib before /usr/lib on split-usr Debian). */
export const unitDirs = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'] as const;
export const kubeletUnit = 'kubelet.service';
export const kubeletUnitFiles: readonly string[] = unitDirs.map((d) => `${d}/${kubeletUnit}`);
export const kubeletDropInDirs: readonly string[] = unitDirs.map((d) => `${d}/${kubeletUnit}.d`);

export const kubeletPaths = {
  etcDefault: '/etc/default/kubelet',
  sysconfig: '/etc/sysconfig/kubelet',
  kubeadmFlags: '/var/lib/kubelet/kubeadm-flags.env',
  config: '/var/lib/kubelet/config.yaml',
  kubeconfig: '/etc/kubernetes/kubelet.conf',
  clientCA: '/etc/kubernetes/pki/ca.crt',
  procNetTcp: '/proc/net/tcp',
  procNetTcp6: '/proc/net/tcp6',
} as const;

/** Names under which kubelet command outputs land in NodeFacts.commands. */
export const kubeletCmd = {
  cmdline: 'kubelet-cmdline',
  version: 'kubelet-version',
  show: 'kubelet-systemctl-show',
  state: 'kubelet-unit-state',
  active: 'kubelet-is-active',
  enabled: 'kubelet-is-enabled',
  journal: 'kubelet-journal',
  holds: 'dpkg-holds',
  packages: 'dpkg-kube-packages',
  listeners: 'ss-listeners',
} as const;

/** Debian policy §5.6.1: what a package name may be (so a profile value is never read as a dpkg-query option). */
export const debianPackageName = /^[a-z0-9][a-z0-9+.-]+$/;
