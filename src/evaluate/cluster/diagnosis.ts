// The diagnosis a person looks for when a Node condition fails (the guide's failure modes: kubelet, containerd or CNI
// down, pressure): journal excerpts read through the node's target, or a sentence saying why they could not be read.
import type { ClusterFacts, Condition, PodSummary } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { cmd } from '../../facts/requirements.ts';
import { kubeletCmd } from '../../kubelet/paths.ts';
import { commandFact, oneLine } from '../runtime/evidence.ts';
import { podRef, selects, type ClusterCheckProfile } from './evidence.ts';

/** The journals the probe reads: two units' tails and the kernel's OOM-killer lines. */
export type JournalUnit = 'kubelet' | 'containerd' | 'kernel OOM';

const journals: Readonly<Record<JournalUnit, { readonly key: string; readonly command: string }>> = {
  kubelet: { key: kubeletCmd.journal, command: 'journalctl -u kubelet' },
  containerd: { key: cmd.containerdJournal, command: 'journalctl -u containerd' },
  'kernel OOM': { key: cmd.kernelOomJournal, command: 'journalctl -k --grep oom-kill' },
};

/** How many journal lines a diagnosis shows: enough for the error and its context, short enough to read in CI. */
export const diagnosisLines = 10;

/**
 * `unit`'s last journal lines from the node's facts, optionally only those matching `only`, as a labelled block.
 * Never empty: when the journal was not read it says why, so a failure never silently lacks its evidence.
 */
export function journalExcerpt(node: NodeFacts | undefined, cluster: Pick<ClusterFacts, 'node'> | undefined, unit: JournalUnit, only?: { readonly match: RegExp; readonly what: string }): string {
  const by = `\`${journals[unit].command}\``;
  // Without node facts the cluster's view is all there is; say where the journal would have come from.
  if (!node) return `(${unit} journal not read: the node itself was not observed in this run (a cluster-only run, or its probe failed; see that node's line); run ${by} on the node)`;
  // A journal from another machine would mislead: the facts must be the Node's own.
  if (cluster && node.node !== cluster.node) return `(${unit} journal not read: the node facts are for ${node.node}, not the Node ${cluster.node})`;
  const j = commandFact(node, journals[unit].key, journals[unit].command);
  if (!j.ok) return `(${unit} journal not read: ${j.why})`;
  const all = j.fact.stdout.split('\n').filter((l) => l.trim() !== '' && !/^-- (No entries|Logs begin|Journal begins)/.test(l));
  if (all.length === 0) {
    // "-- No entries --" with exit 1 is how journalctl --grep reports no match; any other failure is named.
    const none = j.fact.exitCode === 0 || /^-- No entries --$/m.test(j.fact.stdout);
    const stderr = oneLine(j.fact.stderr);
    return `(the ${unit} journal read through ${node.target} has no entries${none ? '' : `; journalctl exited ${j.fact.exitCode}`}${stderr ? `: ${stderr}` : ''})`;
  }
  if (!only) return `${unit} journal, last ${Math.min(all.length, diagnosisLines)} lines via ${node.target}:\n${all.slice(-diagnosisLines).join('\n')}`;
  const hits = all.filter((l) => only.match.test(l));
  if (hits.length === 0) return `(the last ${all.length} ${unit} journal lines read through ${node.target} name no ${only.what})`;
  return `${unit} journal, ${only.what} (${Math.min(hits.length, diagnosisLines)} of the last ${all.length} lines via ${node.target}):\n${hits.slice(-diagnosisLines).join('\n')}`;
}

/**
 * What a NotReady message blames. The kubelet builds it from its runtime state (kubernetes/kubernetes
 * pkg/kubelet/runtime.go runtimeErrors/networkErrors and pkg/kubelet/kubelet.go updateRuntimeUp): "container runtime
 * is down", "container runtime not ready", "PLEG is not healthy", "container runtime status check may not have
 * completed yet"; and "container runtime network not ready: ... NetworkPluginNotReady ... cni plugin not initialized".
 */
export function blames(message: string): { readonly runtime: boolean; readonly network: boolean } {
  return {
    runtime: /container runtime (is down|not ready|status check)|PLEG is not healthy/i.test(message),
    network: /runtime network not ready|network plugin (is )?not ready|NetworkPluginNotReady|cni (plugin not initialized|config uninitiali[sz]ed)/i.test(message),
  };
}

/** One pod's state as a person reads it in `kubectl get pods`: phase, readiness, restarts, waiting reasons. */
export const podState = (p: PodSummary): string => {
  const waiting = p.containerStatuses.filter((s) => s.state !== 'running').map((s) => `${s.name} ${s.state}${s.reason ? ` (${s.reason})` : ''}`);
  const restarts = p.containerStatuses.reduce((n, s) => n + s.restartCount, 0);
  return `${podRef(p)} ${p.phase}, ${p.ready ? 'Ready' : 'not Ready'}${restarts ? `, ${restarts} restarts` : ''}${waiting.length ? `, ${waiting.join(', ')}` : ''}`;
};

/** CNI errors containerd logs when it cannot load or run the plugin ("failed to load cni config", "cni plugin not initialized"). */
const cniLine = { match: /\bcni\b|network plugin/i, what: 'CNI errors' };

/** containerd's CNI lines from the node's journal: what the runtime says when it cannot set up pod networks. */
export const cniJournal = (node: NodeFacts | undefined, cluster: Pick<ClusterFacts, 'node'> | undefined): string => journalExcerpt(node, cluster, 'containerd', cniLine);

/** The CNI hint: the Cilium agent on this node as the API shows it, and containerd's CNI journal lines. */
export function cniHint(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): string {
  const c = profile.cluster.cilium;
  let agent: string;
  if (!cluster) agent = 'the Cilium agent was not looked up (no cluster)';
  else if (!cluster.systemPods.ok) agent = `the Cilium agent could not be looked up: ${cluster.systemPods.failure.message}`;
  else {
    const pods = cluster.systemPods.value.filter((p) => selects(c.agentSelector, p.labels) && p.nodeName === cluster.node);
    agent = pods.length === 0 ? `no Cilium agent pod (${c.namespace}, ${c.agentSelector}) runs on ${cluster.node} (NET-5.1.2)` : `Cilium agent: ${pods.map(podState).join('; ')} (NET-5.1.2; \`kubectl -n ${c.namespace} logs ${pods[0]?.name ?? ''}\`)`;
  }
  return `CNI on this node: ${agent}.\n${cniJournal(node, cluster)}`;
}

/** Lines in which the kubelet's eviction manager or image GC reports why it acts (pkg/kubelet/eviction/eviction_manager.go logs "eviction manager: ..."). */
const evictionLine = { match: /evict|threshold|pressure|image_gc|garbage collect|OOM|oom_kill|out of memory/i, what: 'eviction, threshold or OOM lines' };

/** Pressure: the kubelet's eviction lines, and under MemoryPressure the kernel's OOM kills this boot. */
export function pressureDiagnosis(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, on: readonly Condition[]): string {
  const memory = on.some((c) => c.type === 'MemoryPressure');
  const parts = [journalExcerpt(node, cluster, 'kubelet', evictionLine)];
  if (memory) parts.push(journalExcerpt(node, cluster, 'kernel OOM'));
  return parts.join('\n');
}

/** NotReady: the kubelet's journal always, containerd's when the message blames the runtime, the CNI hint when it blames the network. */
export function notReadyDiagnosis(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile, ready: Condition): string {
  const b = blames(`${ready.reason ?? ''} ${ready.message ?? ''}`);
  const parts = [journalExcerpt(node, cluster, 'kubelet')];
  if (b.runtime) parts.push(journalExcerpt(node, cluster, 'containerd'));
  if (b.network) parts.push(cniHint(node, cluster, profile));
  return parts.join('\n');
}
