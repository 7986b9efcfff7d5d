// Titles of the threat-model rows that group verdicts in every report.
import type { ThreatKey } from './types.ts';

export const threatTitles: Record<ThreatKey, string> = {
  'container-escape': 'Container escape to host',
  'kubelet-api': 'Kubelet API unauthorized access',
  'resource-exhaustion': 'Pod resource exhaustion (CPU/memory)',
  'network-traffic': 'Malicious pod network traffic',
  'hostpath-escalation': 'Privilege escalation via hostPath',
  'runtime-cve': 'Runtime vulnerability (containerd/runc CVE)',
  availability: 'Node availability: prerequisites and failure modes',
};
