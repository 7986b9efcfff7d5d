// The run's view of the cluster: which credentials a run reads (or why none), checked before any node is reached,
// and the ClusterFacts of each node read once beside its probe, or replayed from a snapshot.
import { KubeconfigError, loadKubeconfig, resolveKubeconfig, type KubeconfigSource } from '../cluster/kubeconfig.ts';
import { observeCluster } from '../cluster/observe.ts';
import type { ClusterFacts } from '../cluster/types.ts';
import { UsageError } from '../errors.ts';
import type { Profile } from '../profile/schema.ts';
import type { ClusterSettings } from './settings.ts';

/** What the cluster checks of one node evaluate: the facts read, or the reason there are none (they skip). */
export type ClusterState = { readonly kind: 'observed'; readonly facts: ClusterFacts } | { readonly kind: 'none'; readonly reason: string };

/** A replay reaches no cluster through ambient credentials: only an explicit --kubeconfig is read beside it. */
export const replayWithoutKubeconfig =
  'the snapshot recorded no cluster facts, and a replay reads a cluster only with --kubeconfig (or NODEGATE_KUBECONFIG, kubeconfig:)';

/** Where the credentials come from for this run; a replay ignores KUBECONFIG and ~/.kube/config. */
export function clusterSource(settings: ClusterSettings, replay: boolean): KubeconfigSource {
  if (replay && settings.kubeconfig === undefined) return { kind: 'none', reason: replayWithoutKubeconfig };
  return resolveKubeconfig({ kubeconfig: settings.kubeconfig, context: settings.context }, settings.env);
}

const usageOf = (err: KubeconfigError): UsageError =>
  new UsageError(err.message, 'pass a readable kubeconfig with --kubeconfig (and an existing --context), or unset KUBECONFIG to run without the cluster checks');

/**
 * Loads the chosen kubeconfig without contacting the server, so a missing file or an unknown context is exit 2
 * before any node is reached, as every other bad setting is.
 */
export function preflightCluster(settings: ClusterSettings, replay: boolean): void {
  const source = clusterSource(settings, replay);
  if (source.kind === 'none') {
    if (settings.context !== undefined) {
      throw new UsageError(`--context "${settings.context}" names a context, but no kubeconfig is configured (${source.reason})`, 'pass --kubeconfig FILE, or drop --context');
    }
    return;
  }
  try {
    loadKubeconfig(source);
  } catch (err) {
    if (err instanceof KubeconfigError) throw usageOf(err);
    throw err;
  }
}

/** Reads one node's cluster facts (every read once, in parallel); a bad kubeconfig here is the same usage error. */
export async function readClusterState(settings: ClusterSettings, replay: boolean, node: string, profile: Profile): Promise<ClusterState> {
  const source = clusterSource(settings, replay);
  if (source.kind === 'none') return { kind: 'none', reason: source.reason };
  const observed = await observeCluster({ kubeconfig: settings.kubeconfig, context: settings.context }, settings.env, node, profile.cluster);
  if (observed.kind === 'bad-kubeconfig') throw usageOf(observed.error);
  if (observed.kind === 'none') return { kind: 'none', reason: observed.reason };
  return { kind: 'observed', facts: observed.facts };
}

/** A replay's cluster side: recorded facts of the node, or the reason there are none. */
export function replayedClusterState(recorded: readonly ClusterFacts[], node: string): ClusterState {
  const facts = recorded.find((c) => c.node === node);
  return facts ? { kind: 'observed', facts } : { kind: 'none', reason: replayWithoutKubeconfig };
}
