// The live checks of one node (--live): run once per node through the cluster, after its cluster facts are read,
// by the live harness (src/evaluate/live), whose verdicts the suites then report; or the reason they did not run.
import { loadKubeconfig } from '../cluster/kubeconfig.ts';
import { runLiveChecks, type LiveReport } from '../evaluate/live/index.ts';
import type { Verdict } from '../evaluate/verdict.ts';
import type { Profile } from '../profile/schema.ts';
import { clusterSource } from './cluster.ts';
import type { ClusterSettings } from './settings.ts';

export type LiveState =
  | { readonly kind: 'ran'; readonly verdicts: Readonly<Record<string, Verdict>>; readonly namespace: string; readonly cleanupFailures: readonly string[] }
  | { readonly kind: 'not-run'; readonly reason: string };

export const liveSkipReason = 'live check: it runs workloads on the node, run with --live';
export const replayRunsNoLive = 'live check: a snapshot replay runs no workloads (run --live against the node itself)';

/** How the live checks are run; a seam so tests can stand in a harness without a cluster. */
export type RunLive = (settings: ClusterSettings, node: string, profile: Profile) => Promise<LiveReport>;

export const runLiveThroughCluster: RunLive = async (settings, node, profile) => {
  const source = clusterSource(settings, false);
  if (source.kind === 'none') throw new Error(`live checks need a cluster: ${source.reason}`);
  const { kc } = loadKubeconfig(source);
  return runLiveChecks(kc, {
    node,
    images: profile.cluster.images,
    workloadNamespaces: profile.cluster.workloadNamespaces,
    seccompProfile: profile.seccomp.profiles[0] ?? 'profiles/web-app.json',
  });
};

/** The live state of a node: not run without --live or without a cluster (saying which), else the harness's verdicts. */
export async function liveStateOf(settings: ClusterSettings, clusterReason: string | undefined, node: string, profile: Profile, runLive: RunLive): Promise<LiveState> {
  if (!settings.live) return { kind: 'not-run', reason: liveSkipReason };
  if (clusterReason !== undefined) return { kind: 'not-run', reason: `live check: it runs workloads through the cluster, and there is none (${clusterReason})` };
  const report = await runLive(settings, node, profile);
  return { kind: 'ran', verdicts: report.verdicts, namespace: report.namespace, cleanupFailures: report.cleanupFailures };
}
