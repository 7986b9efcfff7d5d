// Replayable facts of a kubeadm worker whose kubelet is in the documented state (the guide with its traps
// avoided: hardening and resources in the config file), for the kubelet unit tests to drift one thing at a time.
import type { CommandFact, FileFact, NodeFacts } from '../../src/facts/types.ts';
import { compliantFacts, drift, file, missing, ran } from './facts.ts';

export const unitText = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

/** kubeadm's drop-in as the Debian packages install it (EnvironmentFile= lines included). */
export const kubeadmDropIn = `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

export const hardeningDropIn = `[Service]
Environment="KUBELET_EXTRA_ARGS=--protect-kernel-defaults=true --event-qps=5 --read-only-port=0"
`;

export const kubeadmFlags = 'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n';

/** kubeadm's config.yaml with the guide's resource and hardening settings merged in (not tee'd over it). */
export const compliantConfig = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
rotateCertificates: true
serverTLSBootstrap: true
streamingConnectionIdleTimeout: 0s
readOnlyPort: 0
protectKernelDefaults: true
eventRecordQPS: 5
podPidsLimit: 4096
seccompDefault: true
tlsCipherSuites:
- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
systemReserved:
  cpu: "500m"
  memory: "1Gi"
  ephemeral-storage: "1Gi"
kubeReserved:
  cpu: "200m"
  memory: "512Mi"
  ephemeral-storage: "1Gi"
evictionHard:
  memory.available: "500Mi"
  nodefs.available: "10%"
  imagefs.available: "15%"
evictionSoft:
  memory.available: "1Gi"
  nodefs.available: "15%"
evictionSoftGracePeriod:
  memory.available: "1m30s"
  nodefs.available: "2m"
maxPods: 110
`;

/**
 * What the unit-state snippet prints on a systemd node (TZ=UTC): the node's clocks, then `systemctl show`'s
 * properties. `activeFor` seconds since the unit entered "active"; the node booted 10 days before `now`.
 */
export function unitStateOutput(o: { nRestarts: number; activeFor?: number; activeState?: string; subState?: string; result?: string; status?: number; now?: number }): string {
  const now = o.now ?? 1_796_000_000;
  const uptime = 864_000;
  const entered = o.activeFor === undefined ? undefined : now - o.activeFor;
  const stamp = entered === undefined ? '' : `${new Date(entered * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
  const day = entered === undefined ? '' : `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(entered * 1000).getUTCDay()]} `;
  return [
    `NodeClockRealtime=${now}`,
    `NodeClockUptime=${uptime}.42`,
    `ActiveState=${o.activeState ?? 'active'}`,
    `SubState=${o.subState ?? 'running'}`,
    `Result=${o.result ?? 'success'}`,
    `NRestarts=${o.nRestarts}`,
    `ActiveEnterTimestamp=${stamp ? day + stamp : ''}`,
    `ActiveEnterTimestampMonotonic=${entered === undefined ? 0 : (uptime - o.activeFor!) * 1_000_000}`,
    `ExecMainStatus=${o.status ?? 0}`,
    '',
  ].join('\n');
}

/** dpkg-query's lines for the three packages, held and installed at one version (pkgs.k8s.io's "1.31.4-1.1"). */
export const kubePackages = (version: string): string => ['kubeadm', 'kubectl', 'kubelet'].map((p) => `hi  ${p} ${version}`).join('\n') + '\n';

/** /proc/<pid>/cmdline as the probe prints it: one argument per line, then a blank line. */
export const cmdlineOutput = (argv: readonly string[], pid = 812): string => `# pid: ${pid}\n${argv.join('\n')}\n\n`;

export const compliantArgv = [
  '/usr/bin/kubelet',
  '--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf',
  '--kubeconfig=/etc/kubernetes/kubelet.conf',
  '--config=/var/lib/kubelet/config.yaml',
  '--container-runtime-endpoint=unix:///run/containerd/containerd.sock',
  '--pod-infra-container-image=registry.k8s.io/pause:3.10',
];

const secret = (mode: number): FileFact => ({ state: 'present', type: 'file', mode, uid: 0, gid: 0, size: 5600, sha256: 'a'.repeat(64) });
const stat = (mode: number): FileFact => ({ state: 'present', type: 'file', mode, uid: 0, gid: 0, size: 1107 });

export function kubeletFiles(): Record<string, FileFact> {
  return {
    '/etc/systemd/system/kubelet.service': missing,
    '/run/systemd/system/kubelet.service': missing,
    '/usr/local/lib/systemd/system/kubelet.service': missing,
    '/lib/systemd/system/kubelet.service': file(unitText, 0o600),
    '/usr/lib/systemd/system/kubelet.service': file(unitText, 0o600),
    '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': file(kubeadmDropIn, 0o600),
    '/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': file(kubeadmDropIn, 0o600),
    '/etc/systemd/system/kubelet.service.d/20-hardening.conf': missing,
    '/etc/default/kubelet': file('KUBELET_EXTRA_ARGS=\n', 0o644),
    '/etc/sysconfig/kubelet': missing,
    '/var/lib/kubelet/kubeadm-flags.env': file(kubeadmFlags, 0o644),
    '/var/lib/kubelet/config.yaml': file(compliantConfig, 0o600),
    '/etc/kubernetes/kubelet.conf': secret(0o600),
    '/etc/kubernetes/pki/ca.crt': stat(0o644),
    '/var/lib/kube-proxy/kubeconfig.conf': missing,
    '/etc/kubernetes/proxy.conf': missing,
    '/etc/kubernetes/kube-proxy.conf': missing,
  };
}

export function kubeletCommands(): Record<string, CommandFact> {
  return {
    'kubelet-cmdline': ran(cmdlineOutput(compliantArgv)),
    'kubelet-systemctl-show': ran('MainPID=812\nActiveState=active\nUnitFileState=enabled\nFragmentPath=/lib/systemd/system/kubelet.service\nDropInPaths=/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf\n'),
    'kubelet-is-active': ran('active\n'),
    'kubelet-is-enabled': ran('enabled\n'),
    'kubelet-journal': ran(''),
    'kubelet-unit-state': ran(unitStateOutput({ nRestarts: 0, activeFor: 86_400 })),
    'dpkg-kube-packages': ran(kubePackages('1.31.4-1.1')),
    'ss-listeners': ran(
      'LISTEN 0      4096       127.0.0.1:10248      0.0.0.0:*    users:(("kubelet",pid=812,fd=20))\nLISTEN 0      4096               *:10250            *:*    users:(("kubelet",pid=812,fd=22))\nLISTEN 0      128          0.0.0.0:22         0.0.0.0:*    users:(("sshd",pid=500,fd=3))\n',
    ),
  };
}

export type WithRunner = NodeFacts & { runner?: { tcp?: Record<number, 'open' | 'refused' | 'timeout'> } };

/** The compliant host/runtime node plus a compliant kubelet, the runner's probe of :10255 refused. */
export function kubeletCompliantFacts(): WithRunner {
  const base = drift(compliantFacts(), {
    files: kubeletFiles(),
    commands: kubeletCommands(),
    dirs: {
      '/etc/systemd/system/kubelet.service.d': { state: 'missing' },
      '/run/systemd/system/kubelet.service.d': { state: 'missing' },
      '/usr/local/lib/systemd/system/kubelet.service.d': { state: 'missing' },
      '/lib/systemd/system/kubelet.service.d': { state: 'present', entries: ['10-kubeadm.conf'] },
      '/usr/lib/systemd/system/kubelet.service.d': { state: 'present', entries: ['10-kubeadm.conf'] },
    },
  });
  return { ...base, runner: { tcp: { 10255: 'refused' } } };
}

/** One drift on kubelet facts, keeping the runner fact. */
export function kdrift(base: WithRunner, change: Parameters<typeof drift>[1] & { runner?: WithRunner['runner'] | null }): WithRunner {
  const next: WithRunner = { ...drift(base, change) };
  if (change.runner === null) delete next.runner;
  else next.runner = change.runner ?? base.runner;
  return next;
}
