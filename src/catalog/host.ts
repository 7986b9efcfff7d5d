// HOST-1.* checks of the catalog (docs/catalog.md): the node's operating-system prerequisites.
import { checkIn, type CheckDeclaration } from './types.ts';

const host = checkIn('host');

export const hostChecks: readonly CheckDeclaration[] = [
  host({
    id: 'HOST-1.1.1',
    title: 'Hostname matches the node name',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation: 'Set the hostname to the node name: `hostnamectl set-hostname <node.name>`.',
  }),
  host({
    id: 'HOST-1.1.2',
    title: '/etc/hosts maps the control plane and this node',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation: 'Add the missing `<ip> <name>` lines to /etc/hosts (one line per address, no duplicates).',
  }),
  host({
    id: 'HOST-1.1.3',
    title: 'Kernel is new enough for Cilium eBPF',
    threat: 'availability',
    level: 'required',
    fix: 'manual',
    remediation: 'Upgrade the kernel to at least the profile minimum (kernel.minimum) and reboot.',
  }),
  host({
    id: 'HOST-1.1.4',
    title: 'Operating system is a supported release',
    threat: 'runtime-cve',
    level: 'advisory',
    fix: 'manual',
    remediation: 'Move the node to a supported OS release (profile os.supported).',
  }),
  host({
    id: 'HOST-1.2.1',
    title: 'No swap is active',
    threat: 'resource-exhaustion',
    level: 'required',
    fix: 'auto',
    remediation: 'Turn swap off now: `swapoff -a`.',
  }),
  host({
    id: 'HOST-1.2.2',
    title: 'Swap stays off after reboot',
    threat: 'resource-exhaustion',
    level: 'required',
    fix: 'auto',
    remediation:
      'Comment out every swap line in /etc/fstab (whatever its whitespace), `systemctl mask` enabled .swap units and remove zram-generator configs.',
  }),
  host({
    id: 'HOST-1.3.1',
    title: 'overlay module is available',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation: 'Load it: `modprobe overlay`.',
  }),
  host({
    id: 'HOST-1.3.2',
    title: 'br_netfilter module is available',
    threat: 'network-traffic',
    level: 'required',
    fix: 'auto',
    remediation: 'Load it: `modprobe br_netfilter`.',
  }),
  host({
    id: 'HOST-1.3.3',
    title: 'Both modules load at boot',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation: 'List the modules one per line in /etc/modules-load.d/k8s.conf.',
  }),
  host({
    id: 'HOST-1.4.1',
    title: 'Bridged IPv4 traffic goes through iptables',
    threat: 'network-traffic',
    level: 'required',
    fix: 'auto',
    remediation: 'Set it now: `sysctl -w net.bridge.bridge-nf-call-iptables=1` (and persist it, HOST-1.4.4).',
  }),
  host({
    id: 'HOST-1.4.2',
    title: 'Bridged IPv6 traffic goes through ip6tables',
    threat: 'network-traffic',
    level: 'required',
    fix: 'auto',
    remediation: 'Set it now: `sysctl -w net.bridge.bridge-nf-call-ip6tables=1` (and persist it, HOST-1.4.4).',
  }),
  host({
    id: 'HOST-1.4.3',
    title: 'IPv4 forwarding is on',
    threat: 'network-traffic',
    level: 'required',
    fix: 'auto',
    remediation: 'Set it now: `sysctl -w net.ipv4.ip_forward=1` (and persist it, HOST-1.4.4).',
  }),
  host({
    id: 'HOST-1.4.4',
    title: 'Those sysctls survive reboot',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation:
      'Write the values to /etc/sysctl.d/k8s.conf and remove or fix any file that sysctl --system applies after it for the same key.',
  }),
  host({
    id: 'HOST-1.4.5',
    title: 'Kernel defaults that protectKernelDefaults demands are set',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation:
      'Set and persist vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10, kernel.panic_on_oops=1, kernel.keys.root_maxkeys=1000000, kernel.keys.root_maxbytes=25000000 (e.g. /etc/sysctl.d/90-kubelet.conf) before turning protectKernelDefaults on.',
  }),
];
