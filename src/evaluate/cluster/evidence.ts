// Shared reading of cluster evidence for the cluster-side checks: the evaluator signature, and the rule that a
// read which failed (401, 403, 5xx after retries) is an error verdict and no cluster at all is a stated skip.
import type { ClusterProfile } from '../../profile/cluster.ts';
import type { ClusterFacts, PodSummary, Read } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { error, skip, type Evidence, type Verdict } from '../verdict.ts';

/** The profile as the cluster checks read it: its `cluster` part is src/profile/cluster.ts. */
export type ClusterCheckProfile = Profile & { readonly cluster: ClusterProfile };

/** A cluster-side check: the node's facts when it was observed, the cluster's when one is configured. */
export type ClusterEvaluator = (node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile) => Verdict;

export const noClusterReason = 'no cluster configured (--kubeconfig, KUBECONFIG, ~/.kube/config or a service account): this check reads the Kubernetes API';

export type Needed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly verdict: Verdict };

/** The value of a cluster read, or the verdict: skip without a cluster, error when the read failed. */
export function needRead<T>(cluster: ClusterFacts | undefined, pick: (c: ClusterFacts) => Read<T>, e: Pick<Evidence, 'expected' | 'source'>): Needed<T> {
  if (!cluster) return { ok: false, verdict: skip({ ...e, actual: 'not observed' }, noClusterReason) };
  const r = pick(cluster);
  if (!r.ok) return { ok: false, verdict: error({ ...e, actual: 'unknown' }, r.failure.message) };
  return { ok: true, value: r.value };
}

export const podRef = (p: Pick<PodSummary, 'namespace' | 'name'>): string => `${p.namespace}/${p.name}`;

/** "a, b, c and 4 more": lists stay readable in a message. */
export function listSome(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Equality selector "k=v[,k2=v2]" against labels (the profile's Cilium selectors). */
export function selects(selector: string, labels: Readonly<Record<string, string>>): boolean {
  return selector.split(',').every((term) => {
    const [k = '', v] = term.split('=');
    return v === undefined ? k.trim() in labels : labels[k.trim()] === v.trim();
  });
}
