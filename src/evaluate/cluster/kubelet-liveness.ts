// Whether the Node's Ready=True can be believed, for KUBELET-3.1.4: the Node object keeps the last status the
// kubelet posted after the kubelet dies, while the same run's node probe has already looked for the process.
import type { Condition } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { readKubeletProcess } from '../../kubelet/command-line.ts';
import { kubeletCmd } from '../../kubelet/paths.ts';
import { commandFact } from '../runtime/evidence.ts';

/** What the node's probe found that says its kubelet is not running, in words, and where it was read. */
export interface KubeletDown {
  readonly evidence: string;
  readonly source: string;
}

/** `systemctl is-active` states of a unit whose process is up (systemd.unit(5): active, reloading). */
const up = new Set(['active', 'reloading']);

/**
 * The probe's evidence that the Node's kubelet is down, or undefined when the facts say it runs or cannot say
 * (no facts, facts of another node, neither the process scan nor the unit state read). A running process wins over
 * the unit: a kubelet started outside kubelet.service (the cluster lab's worker) is up whatever systemd says.
 */
export function kubeletDown(node: NodeFacts | undefined, nodeName: string): KubeletDown | undefined {
  if (!node || node.node !== nodeName) return undefined;
  const proc = readKubeletProcess(node);
  if (proc.state === 'running') return undefined;
  const active = commandFact(node, kubeletCmd.active, 'systemctl is-active kubelet');
  const unit = active.ok ? (active.fact.stdout.trim().split('\n')[0] ?? '') : undefined;
  const unitWords = unit === undefined ? '' : `; \`systemctl is-active kubelet\`: ${unit || '(no output)'}`;
  const at = `the probe of ${node.target} at ${node.gatheredAt}`;
  if (proc.state === 'not-running') return { evidence: `no kubelet process (no /proc/*/comm is "kubelet")${unitWords}`, source: at };
  // The process scan did not run: the unit's own state is the evidence left.
  if (unit !== undefined && unit !== '' && !up.has(unit)) return { evidence: `kubelet.service is ${unit} (\`systemctl is-active kubelet\`; the process scan: ${proc.why ?? 'not read'})`, source: at };
  return undefined;
}

export interface Heartbeat {
  readonly at: string;
  /** Seconds from the heartbeat to when the Node was read; undefined when either time does not parse. */
  readonly ageSeconds: number | undefined;
}

/**
 * The condition's lastHeartbeatTime and its age when the Node was read; undefined for a snapshot written before
 * the facts kept it (the verdict then says it was not recorded).
 */
export function heartbeatOf(c: Condition, readAt: string): Heartbeat | undefined {
  if (c.lastHeartbeatTime === undefined || c.lastHeartbeatTime === '') return undefined;
  const age = (Date.parse(readAt) - Date.parse(c.lastHeartbeatTime)) / 1000;
  return { at: c.lastHeartbeatTime, ageSeconds: Number.isFinite(age) ? Math.round(age) : undefined };
}

/** "lastHeartbeatTime 2026-11-30T10:00:00Z, 42 s before the Node was read", or that it was not recorded. */
export function heartbeatWords(h: Heartbeat | undefined): string {
  if (!h) return 'lastHeartbeatTime not recorded in the cluster facts';
  if (h.ageSeconds === undefined) return `lastHeartbeatTime ${h.at}`;
  // A heartbeat "after" the read means the API server's and the runner's clocks differ; say so rather than a negative age.
  return h.ageSeconds >= 0 ? `lastHeartbeatTime ${h.at}, ${h.ageSeconds} s before the Node was read` : `lastHeartbeatTime ${h.at}, ${-h.ageSeconds} s after the Node was read (the clocks differ)`;
}

/**
 * Why a Ready=True can be stale, as the kubelet and the node lifecycle controller behave (kubelet configuration
 * v1beta1: nodeStatusUpdateFrequency 10s, nodeStatusReportFrequency 5m, nodeLeaseDurationSeconds 40 renewed at a
 * quarter of it; kube-controller-manager --node-monitor-grace-period, 40 s, 50 s since Kubernetes 1.32).
 */
export const staleReadyWhy =
  'The kubelet posts node status when it changes or every nodeStatusReportFrequency (5m by default), and proves it is alive by renewing its Lease in kube-node-lease about every 10 s; ' +
  'the node lifecycle controller sets Ready to Unknown only after node-monitor-grace-period (40–50 s) without a renewal, so until then the Node keeps saying Ready=True for a kubelet that has stopped';
