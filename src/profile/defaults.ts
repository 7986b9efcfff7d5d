// The built-in profile: the catalog's "Profile defaults", i.e. the guide's documented state.
import { kubeletDefaults } from './kubelet-defaults.ts';
import type { ProfileInput } from './schema.ts';

export const defaultProfile: ProfileInput = {
  node: { name: 'worker-01' },
  hosts: [
    { ip: '10.0.0.10', names: ['control-plane'] },
    { ip: '10.0.0.20', names: ['worker-01'] },
  ],
  kernel: { minimum: '5.10' },
  os: {
    supported: [
      { id: 'ubuntu', versionId: '22.04' },
      { id: 'ubuntu', versionId: '24.04' },
    ],
  },
  modules: ['overlay', 'br_netfilter'],
  sysctls: {
    'net.bridge.bridge-nf-call-iptables': '1',
    'net.bridge.bridge-nf-call-ip6tables': '1',
    'net.ipv4.ip_forward': '1',
  },
  kernelDefaults: {
    'vm.overcommit_memory': '1',
    'vm.panic_on_oom': '0',
    'kernel.panic': '10',
    'kernel.panic_on_oops': '1',
    'kernel.keys.root_maxkeys': '1000000',
    'kernel.keys.root_maxbytes': '25000000',
  },
  kubelet: kubeletDefaults,
  containerd: {
    configPath: '/etc/containerd/config.toml',
    socket: { path: '/run/containerd/containerd.sock', mode: '0660', uid: 0, gid: 0 },
    versionFloors: { '1.7': '1.7.29', '2.0': '2.0.7', '2.1': '2.1.5', '2.2': '2.2.0' },
  },
  runc: { versionFloors: { '1.2': '1.2.8', '1.3': '1.3.3' } },
  seccomp: { root: '/var/lib/kubelet/seccomp', profiles: ['profiles/web-app.json'], mode: '0644' },
};
