// The one call a run makes for the cluster side: resolve the credentials, load them, gather the facts once.
// No cluster configured is a stated reason (the cluster checks skip); a broken kubeconfig is a usage error for
// the caller to report (exit 2), never a silent skip.
import { gatherClusterFacts, type GatherOptions } from './gather.ts';
import { KubeconfigError, loadKubeconfig, resolveKubeconfig, type KubeconfigOptions, type LoadedKubeconfig, type ResolveDeps } from './kubeconfig.ts';
import type { ClusterProfile } from '../profile/cluster.ts';
import type { ClusterFacts } from './types.ts';

export type ClusterObservation =
  | { readonly kind: 'observed'; readonly facts: ClusterFacts }
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'bad-kubeconfig'; readonly error: KubeconfigError };

export async function observeCluster(
  options: KubeconfigOptions,
  env: Readonly<Record<string, string | undefined>>,
  nodeName: string,
  profile: ClusterProfile,
  extra: GatherOptions & { readonly deps?: ResolveDeps } = {},
): Promise<ClusterObservation> {
  const source = resolveKubeconfig(options, env, extra.deps);
  if (source.kind === 'none') return { kind: 'none', reason: source.reason };
  let loaded: LoadedKubeconfig;
  try {
    loaded = loadKubeconfig(source);
  } catch (err) {
    if (err instanceof KubeconfigError) return { kind: 'bad-kubeconfig', error: err };
    throw err;
  }
  return { kind: 'observed', facts: await gatherClusterFacts(loaded, nodeName, profile, extra) };
}
