// One check's verdict on one node from what the run observed: the node's facts (with the running kubelet's
// /configz on top when the cluster served it), the cluster's facts, or a stated skip for what this run cannot do.
import { configzDrift, type ConfigzDrift } from '../cluster/configz-drift.ts';
import type { ClusterFacts } from '../cluster/types.ts';
import { noClusterReason } from '../evaluate/cluster/evidence.ts';
import { liveImageHint, liveSkipReason, noClusterLivePrefix } from './live.ts';
import { error, skip, type Verdict } from '../evaluate/verdict.ts';
import type { NodeFacts } from '../facts/types.ts';
import type { Profile } from '../profile/schema.ts';
import type { CheckKind } from './bind-checks.ts';
import { profileForNode, type Observation } from './observe.ts';

export { liveSkipReason } from './live.ts';

const layered = new WeakMap<NodeFacts, NodeFacts>();

/**
 * The node's facts with the kubelet's /configz as the top layer of its effective configuration: what the running
 * kubelet uses wins over its files, and a disagreement is named by the kubelet verdicts (both layers). One copy
 * per facts object, so the effective configuration computed from it is cached once for every check.
 */
export function withConfigz(facts: NodeFacts, cluster: ClusterFacts | undefined): NodeFacts {
  if (!cluster?.configz.ok) return facts;
  const hit = layered.get(facts);
  if (hit) return hit;
  const out: NodeFacts = { ...facts, configz: cluster.configz.value };
  layered.set(facts, out);
  return out;
}

const drifts = new WeakMap<NodeFacts, readonly ConfigzDrift[]>();

/** Every field where the running kubelet (/configz) and the node's files disagree, computed once per node. */
function driftsOf(facts: NodeFacts, configz: object): readonly ConfigzDrift[] {
  const hit = drifts.get(facts);
  if (hit) return hit;
  const out = configzDrift(facts, configz);
  drifts.set(facts, out);
  return out;
}

/**
 * A kubelet verdict whose winning layer is /configz names the drift in words a person acts on: "running 10255
 * from /configz, file says 0: the kubelet was not restarted after the change". The verdict's own "Layers
 * disagree: configz: FIELD: …" marks which fields it judged.
 */
export function withDriftNote(verdict: Verdict, facts: NodeFacts, cluster: ClusterFacts | undefined): Verdict {
  if (!cluster?.configz.ok || verdict.status === 'skip') return verdict;
  const notes = driftsOf(facts, cluster.configz.value)
    // A zero running value is "configz: FIELD omitted (zero value)": /configz serialises with omitempty.
    .filter((d) => [verdict.message, verdict.actual].some((t) => t.includes(`configz: ${d.field}:`) || t.includes(`configz: ${d.field} omitted`)))
    .map((d) => `${d.field}: ${d.sentence}.`);
  if (notes.length === 0) return verdict;
  // Reports print no message for a pass, so there the drift travels in `actual`, as the disagreeing layers do.
  return verdict.status === 'pass' ? { ...verdict, actual: [verdict.actual, ...notes].join(' ') } : { ...verdict, message: [verdict.message, ...notes].filter(Boolean).join(' ') };
}

const unobserved = (o: Extract<Observation, { failure: string }>): Verdict =>
  error({ expected: 'the node can be observed', actual: `not observed (${o.failure})`, source: o.target }, o.message);

export function verdictFor(id: string, judge: CheckKind, observation: Observation, profile: Profile): Verdict {
  const nodeProfile = profileForNode(profile, observation.node);
  const cluster = observation.cluster?.kind === 'observed' ? observation.cluster.facts : undefined;
  const facts = 'facts' in observation ? observation.facts : undefined;
  switch (judge.kind) {
    case 'node':
      if (!('facts' in observation)) return unobserved(observation);
      return withDriftNote(judge.evaluate(withConfigz(observation.facts, cluster), nodeProfile), observation.facts, cluster);
    case 'cluster': {
      // Cluster evaluators take the node's facts when there are any: RES-6.1.x compute allocatable from them alone.
      const verdict = judge.evaluate(facts, cluster, nodeProfile);
      const none = observation.cluster?.kind === 'none' ? observation.cluster.reason : undefined;
      // The evaluator says a cluster is needed; the run knows why there is none (no kubeconfig, a replay).
      return verdict.status === 'skip' && verdict.message === noClusterReason && none !== undefined ? { ...verdict, message: `this check reads the Kubernetes API: ${none}` } : verdict;
    }
    case 'live': {
      const state = observation.live ?? { kind: 'not-run', reason: liveSkipReason };
      if (state.kind === 'not-run') {
        // No cluster and no --live-image: the person reading the skip learns the three rows can still run.
        const reason = state.reason.startsWith(noClusterLivePrefix) ? `${state.reason}; ${liveImageHint}` : state.reason;
        return skip({ expected: 'a live run on the node', actual: 'not run', source: 'nodegate run' }, reason);
      }
      // The harness answers every live ID; one it did not answer is a hole in the run, never a pass.
      return state.verdicts[id] ?? error({ expected: 'a verdict from the live run', actual: 'none', source: `live run in ${state.namespace}` }, `the live run gave no verdict for ${id}`);
    }
    case 'pending':
      return skip({ expected: 'the check to run', actual: 'not run', source: 'nodegate run' }, judge.reason);
  }
}
