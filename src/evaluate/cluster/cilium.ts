// NET-5.1.2–5.1.5: the Cilium agent on this node, its health, its endpoints and Hubble relay, from what the API
// shows (pod phase, readiness, restarts, waiting reasons). What only `cilium-dbg` inside the agent would show
// (pods/exec, a live check) is named in the message as not observed, never assumed.
import type { ClusterFacts, PodSummary } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { cniJournal, podState } from './diagnosis.ts';
import { listSome, needRead, podRef, selects, type ClusterCheckProfile } from './evidence.ts';

type Agents = { ok: true; pods: PodSummary[]; source: string } | { ok: false; verdict: Verdict };

function agentsOnNode(cluster: ClusterFacts | undefined, profile: ClusterCheckProfile, expected: string): Agents {
  const c = profile.cluster.cilium;
  const source = `pods in ${c.namespace} with ${c.agentSelector} on ${cluster?.node ?? 'the node'}`;
  const r = needRead(cluster, (x) => x.systemPods, { expected, source });
  if (!r.ok) return r;
  return { ok: true, pods: r.value.filter((p) => selects(c.agentSelector, p.labels) && p.nodeName === cluster?.node), source };
}

/** NET-5.1.2: a Cilium agent pod on this node is Running and Ready. */
export function evaluateCiliumAgent(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const expected = `a ${profile.cluster.cilium.namespace} pod ${profile.cluster.cilium.agentSelector} on this node, Running and Ready`;
  const a = agentsOnNode(cluster, profile, expected);
  if (!a.ok) return a.verdict;
  const { pods, source } = a;
  if (pods.length === 0) return fail({ expected, actual: 'no agent pod on this node', source }, `no Cilium agent runs on ${cluster?.node}: the DaemonSet does not schedule here (taints, nodeSelector) or Cilium is not installed. Pods on this node get no network.\n${cniJournal(node, cluster)}`);
  const good = pods.find((p) => p.phase === 'Running' && p.ready);
  const actual = pods.map(podState).join('; ');
  return good ? pass({ expected, actual, source }) : fail({ expected, actual, source }, `the Cilium agent on this node is not Running and Ready: ${actual}. \`kubectl -n ${profile.cluster.cilium.namespace} logs ${pods[0]?.name ?? 'cilium-…'}\` says why.\n${cniJournal(node, cluster)}`);
}

/** NET-5.1.3: the agent reports itself healthy; from the API that is its readiness (the agent's own /healthz). */
export function evaluateCiliumHealth(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const expected = 'the agent on this node reports OK (its readiness probe is the agent\'s health endpoint) and is not crash-looping';
  const a = agentsOnNode(cluster, profile, expected);
  if (!a.ok) return a.verdict;
  const unobserved = '`cilium-dbg status --brief` was not run (it needs pods/exec: a live check)';
  const source = `${a.source}: readiness and restarts`;
  if (a.pods.length === 0) return error({ expected, actual: 'no agent pod on this node', source }, `there is no Cilium agent on this node to judge (NET-5.1.2 fails); ${unobserved}`);
  const actual = a.pods.map(podState).join('; ');
  const crashing = a.pods.flatMap((p) => p.containerStatuses.filter((s) => s.reason === 'CrashLoopBackOff' || s.reason === 'Error').map((s) => `${podRef(p)} ${s.name} ${s.reason ?? ''}`));
  if (crashing.length) return fail({ expected, actual, source }, `the agent is crash-looping (${crashing.join(', ')}): it is not healthy. ${unobserved}.\n${cniJournal(node, cluster)}`);
  const ready = a.pods.filter((p) => p.ready);
  if (ready.length === 0) return fail({ expected, actual, source }, `the agent's readiness probe (its health endpoint) fails: ${actual}. ${unobserved}.\n${cniJournal(node, cluster)}`);
  return pass({ expected, actual, source }, `healthy by its readiness probe; ${unobserved}.`);
}

/**
 * NET-5.1.4 (advisory): endpoints are programmed. A pod on the pod network gets an IP and turns Ready only after
 * the CNI ADD (in Cilium: endpoint creation and BPF programming) succeeded, so such pods Running and Ready on this
 * node are the evidence the API has; pods stuck creating their sandbox are the failure.
 */
export function evaluateCiliumEndpoints(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const expected = 'pods on the pod network of this node are Running and Ready (their endpoints are programmed)';
  const source = cluster ? `pods on ${cluster.node} (spec.nodeName), hostNetwork=false` : 'pods on the node';
  // Pods turn Ready under any CNI: without a Cilium agent here they say nothing about Cilium's endpoints.
  const agents = agentsOnNode(cluster, profile, expected);
  if (!agents.ok) return agents.verdict;
  if (agents.pods.length === 0) {
    return skip({ expected, actual: 'no Cilium agent on this node', source: agents.source }, `no Cilium agent on this node, so there are no Cilium endpoints to observe (NET-5.1.2 judges the missing agent); pods that are Ready here got their network from another CNI.`);
  }
  const r = needRead(cluster, (c) => c.podsOnNode, { expected, source });
  if (!r.ok) return r.verdict;
  const onPodNetwork = r.value.filter((p) => !p.hostNetwork && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const unobserved = '`cilium-dbg bpf endpoint list` was not run (pods/exec: a live check)';
  if (onPodNetwork.length === 0) return error({ expected, actual: 'no pod on the pod network here', source }, `nothing to observe: no running pod on this node uses the pod network, and ${unobserved}`);
  const stuck = onPodNetwork.filter((p) => p.containerStatuses.some((s) => s.state === 'waiting' && s.reason === 'ContainerCreating') || (p.phase === 'Pending' && p.nodeName));
  const ready = onPodNetwork.filter((p) => p.phase === 'Running' && p.ready);
  const actual = `${ready.length} of ${onPodNetwork.length} pod-network pods Running and Ready${stuck.length ? `; stuck creating: ${listSome(stuck.map(podRef))}` : ''}`;
  if (stuck.length) return fail({ expected, actual, source }, `pods on this node cannot get their network (${listSome(stuck.map(podRef))} wait in ContainerCreating/Pending): the CNI does not program endpoints here. ${unobserved}.`);
  if (ready.length === 0) return fail({ expected, actual, source }, `no pod on the pod network is Ready on this node. ${unobserved}.`);
  return pass({ expected, actual, source }, `${unobserved}; the evidence is pods that got their network.`);
}

/** NET-5.1.5 (advisory): Hubble relay is deployed and available. */
export function evaluateHubbleRelay(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const c = profile.cluster.cilium;
  const expected = `a ${c.namespace} pod ${c.relaySelector} Running and Ready`;
  const source = `pods in ${c.namespace} with ${c.relaySelector}`;
  const r = needRead(cluster, (x) => x.systemPods, { expected, source });
  if (!r.ok) return r.verdict;
  const relays = r.value.filter((p) => selects(c.relaySelector, p.labels));
  // Hubble is Cilium's: in a cluster with no Cilium agent at all, "deploy Hubble relay" is no advice to act on.
  if (relays.length === 0 && !r.value.some((p) => selects(c.agentSelector, p.labels))) {
    return skip({ expected, actual: 'no Cilium in the cluster', source: `pods in ${c.namespace} with ${c.agentSelector} or ${c.relaySelector}` }, `no Cilium agent runs in ${c.namespace} on any node, so there is no Hubble to observe (Hubble is Cilium's flow observability; NET-5.1.2 judges the missing agent).`);
  }
  if (relays.length === 0) return fail({ expected, actual: 'no Hubble relay', source }, 'Hubble relay is not deployed: flows cannot be observed (`cilium hubble enable`, or the Helm values hubble.relay.enabled=true).');
  const actual = relays.map(podState).join('; ');
  return relays.some((p) => p.phase === 'Running' && p.ready) ? pass({ expected, actual, source }) : fail({ expected, actual, source }, `Hubble relay is deployed but not available: ${actual}.`);
}
