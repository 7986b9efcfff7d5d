// RT-2.* checks of the catalog (docs/catalog.md) that the node alone can answer: containerd and runc.
import { checkIn, type CheckDeclaration } from './types.ts';

const runtime = checkIn('runtime');

export const runtimeChecks: readonly CheckDeclaration[] = [
  runtime({
    id: 'RT-2.1.1',
    title: 'containerd service is active and enabled',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation: 'Start it and enable it at boot: `systemctl enable --now containerd`; read `journalctl -u containerd` if it does not stay up.',
  }),
  runtime({
    id: 'RT-2.1.2',
    title: 'containerd answers on its socket',
    threat: 'availability',
    level: 'required',
    fix: 'manual',
    remediation: 'Check that containerd runs and listens on the configured socket (`ctr --address <socket> version`); see `journalctl -u containerd`.',
  }),
  runtime({
    id: 'RT-2.1.3',
    title: 'containerd has no known CVE',
    threat: 'runtime-cve',
    level: 'required',
    fix: 'manual',
    remediation: 'Upgrade containerd to at least the fixed release of its line (CVE-2024-25621, CVE-2025-64329), or move to a supported line.',
  }),
  runtime({
    id: 'RT-2.1.4',
    title: 'runc has no known container-escape CVE',
    threat: 'runtime-cve',
    level: 'required',
    fix: 'manual',
    remediation: 'Upgrade runc to at least the fixed release of its line (CVE-2025-31133, CVE-2025-52565, CVE-2025-52881).',
  }),
  runtime({
    id: 'RT-2.2.1',
    title: 'config.toml parses',
    threat: 'availability',
    level: 'required',
    fix: 'manual',
    remediation: 'Make /etc/containerd/config.toml valid TOML: merge a table that appears twice into its first occurrence, then restart containerd.',
  }),
  runtime({
    id: 'RT-2.2.2',
    title: 'The CRI plugin is enabled',
    threat: 'availability',
    level: 'required',
    fix: 'auto',
    remediation: 'Remove "cri" from `disabled_plugins` in /etc/containerd/config.toml and restart containerd.',
  }),
  runtime({
    id: 'RT-2.2.3',
    title: 'runc uses the systemd cgroup driver',
    threat: 'resource-exhaustion',
    level: 'required',
    fix: 'auto',
    remediation: 'Set `SystemdCgroup = true` in the runc options table of /etc/containerd/config.toml and restart containerd.',
  }),
  runtime({
    id: 'RT-2.3.1',
    title: 'containerd socket is 660 or stricter',
    threat: 'container-escape',
    level: 'required',
    fix: 'auto',
    remediation: '`chmod 660 /run/containerd/containerd.sock`; containerd recreates the socket at start, so also keep its [grpc] settings right.',
  }),
  runtime({
    id: 'RT-2.3.2',
    title: 'containerd socket is owned by root:root',
    threat: 'container-escape',
    level: 'required',
    fix: 'auto',
    remediation: '`chown root:root /run/containerd/containerd.sock` and persist it with `[grpc] uid = 0` / `gid = 0` in config.toml.',
  }),
];
