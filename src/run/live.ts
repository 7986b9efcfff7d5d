// The live checks of one node (--live): run once per node through the cluster, after its cluster facts are read,
// by the live harness (src/evaluate/live), whose verdicts the suites then report; or the reason they did not run.
import { loadKubeconfig } from '../cluster/kubeconfig.ts';
import { runLiveChecks, type LiveReport } from '../evaluate/live/index.ts';
import { liveCheckIds, type LiveCheckId } from '../evaluate/live/plan.ts';
import { liveInputsOf, type LiveInputs, type ObservedNode } from '../evaluate/live/inputs.ts';
import type { Verdict } from '../evaluate/verdict.ts';
import { nodeLiveOptionsFromProfile } from '../live-node/profile-options.ts';
import { nodeLiveIds, runNodeLiveChecks, type NodeLiveOptions } from '../live-node/run.ts';
import type { Profile } from '../profile/schema.ts';
import type { Target } from '../target/index.ts';
import { clusterSource } from './cluster.ts';
import { everything, isSelected, type Selection } from './selection.ts';
import type { ClusterSettings } from './settings.ts';

export type LiveState =
  | { readonly kind: 'ran'; readonly verdicts: Readonly<Record<string, Verdict>>; readonly namespace: string; readonly cleanupFailures: readonly string[] }
  | { readonly kind: 'not-run'; readonly reason: string };

export const liveSkipReason = 'live check: it runs workloads on the node, run with --live';
export const replayRunsNoLive = 'live check: a snapshot replay runs no workloads, there is no node to run them on (run --live against the node itself: through its cluster, or without one with --live-image)';
export const noClusterLivePrefix = 'live check: it runs workloads through the cluster, and there is none';
/** What a skip without a cluster adds: the three rows that can run on the node itself, and how. */
export const liveImageHint =
  'on the node itself RES-6.2.1, RES-6.2.3 and SEC-4.2.5 run with --live-image FILE, a busybox image tarball (fixtures/live/busybox-image.sh OUT.tar builds one)';

/** The live checks through the cluster that the run reports. */
export const selectedLiveIds = (selection: Selection): LiveCheckId[] => liveCheckIds.filter((id) => isSelected(selection, id));

export const noLiveSelected = 'live check: none is selected (--only/--skip), so nothing ran on the node';

/** How the node-local live checks are run; a seam so tests can stand in a fake. */
export type RunNodeLive = (target: Target, options: NodeLiveOptions) => Promise<Record<string, Verdict>>;

/**
 * The node-local live checks through the node's own target (after its probe, same connection): their verdicts,
 * the containerd namespace they used and what cleanup could not remove.
 */
export async function nodeLiveState(target: Target, imageFile: string, profile: Profile, stepTimeoutMs: number, runNodeLive: RunNodeLive = runNodeLiveChecks, selection: Selection = everything): Promise<LiveState> {
  // Only the selected rows' containers run; with none of the three selected the run is not started at all.
  const selected = new Set(nodeLiveIds.filter((id) => isSelected(selection, id)));
  if (selected.size === 0) return { kind: 'not-run', reason: noLiveSelected };
  let namespace = 'a containerd namespace of this run';
  let cleanupFailures: readonly string[] = [];
  const verdicts = await runNodeLive(target, {
    imageFile,
    ...nodeLiveOptionsFromProfile(profile),
    stepTimeoutMs,
    selected,
    onCleanup: (report) => {
      namespace = `containerd namespace ${report.namespace}`;
      cleanupFailures = report.problems;
    },
  });
  return { kind: 'ran', verdicts, namespace, cleanupFailures };
}

/**
 * How the live checks are run; a seam so tests can stand in a harness without a cluster. `inputs` is what the run
 * takes from the node itself (the kubelet's clusterDomain, the profile's errno for unshare), with where each was read.
 */
export type RunLive = (settings: ClusterSettings, node: string, profile: Profile, inputs: LiveInputs, selected: readonly LiveCheckId[]) => Promise<LiveReport>;

export const runLiveThroughCluster: RunLive = async (settings, node, profile, inputs, selected) => {
  const source = clusterSource(settings, false);
  if (source.kind === 'none') throw new Error(`live checks need a cluster: ${source.reason}`);
  const { kc } = loadKubeconfig(source);
  return runLiveChecks(kc, {
    node,
    images: profile.cluster.images,
    workloadNamespaces: profile.cluster.workloadNamespaces,
    seccompProfile: profile.seccomp.profiles[0] ?? 'profiles/web-app.json',
    clusterDomain: inputs.clusterDomain.value,
    clusterDomainFrom: inputs.clusterDomain.from,
    seccomp: inputs.seccomp,
    selected,
  });
};

/**
 * The live state of a node: not run without --live or without a cluster (saying which), else the harness's
 * verdicts. `observed` is the node's probe facts and cluster facts, read before: the kubelet's effective
 * clusterDomain and the node's seccomp profile come from them (absent: assumed, and the verdicts say so). Only the
 * live checks `selection` reports run (with their controls); with none of them, nothing is run or read.
 */
export async function liveStateOf(settings: ClusterSettings, clusterReason: string | undefined, node: string, profile: Profile, runLive: RunLive, observed: ObservedNode = {}, selection: Selection = everything): Promise<LiveState> {
  if (!settings.live) return { kind: 'not-run', reason: liveSkipReason };
  const selected = selectedLiveIds(selection);
  if (selected.length === 0) return { kind: 'not-run', reason: noLiveSelected };
  // With --live-image the node-local run answered already (observe.ts); here it is the rows it does not answer.
  if (clusterReason !== undefined) return { kind: 'not-run', reason: `${noClusterLivePrefix} (${clusterReason})` };
  const report = await runLive(settings, node, profile, liveInputsOf(observed, profile), selected);
  return { kind: 'ran', verdicts: report.verdicts, namespace: report.namespace, cleanupFailures: report.cleanupFailures };
}
