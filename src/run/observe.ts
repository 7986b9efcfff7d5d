// Observes every node of a run once, in parallel: live over its target, or replayed from a snapshot; beside each
// node's probe, what the Kubernetes API says about it (ClusterFacts), read once and shared by every check.
import { TargetError } from '../errors.ts';
import { gatherFacts } from '../facts/gather.ts';
import { nodeFollowUps, nodeRequests } from '../facts/node-requests.ts';
import { httpProbe } from '../facts/runner-probe.ts';
import { loadSnapshot, saveSnapshot } from './snapshot.ts';
import type { NodeFacts } from '../facts/types.ts';
import type { Profile } from '../profile/schema.ts';
import { openTarget, type Target } from '../target/index.ts';
import { parseTargetSpec } from '../target/parse.ts';
import { readClusterState, replayedClusterState, type ClusterState } from './cluster.ts';
import { mapLimited } from './limit.ts';
import { liveStateOf, nodeLiveState, replayRunsNoLive, runLiveThroughCluster, type LiveState, type RunLive, type RunNodeLive } from './live.ts';
import type { RunSettings } from './settings.ts';

/** A node's facts or why it could not be observed, and its cluster side (absent: no cluster was considered). */
export type Observation = (
  | { readonly node: string; readonly target: string; readonly facts: NodeFacts }
  | { readonly node: string; readonly target: string; readonly failure: string; readonly message: string }
) & { readonly cluster?: ClusterState; readonly live?: LiveState };

/** The profile as it applies to one node: the node's own name is the expected hostname. */
export function profileForNode(profile: Profile, node: string): Profile {
  return { ...profile, node: { ...profile.node, name: node } };
}

/** The URL of the kubelet's read-only /healthz on a host; an IPv6 literal is bracketed. */
export function readOnlyPortUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
}

/** How a node is reached; a seam so tests can stand in a fake transport. */
export type OpenTarget = typeof openTarget;

/** Runs on the node's open target after its probe, before it is closed: the node-local live checks, if any. */
type AfterProbe = (target: Target) => Promise<LiveState | undefined>;

async function observeLive(setting: RunSettings['nodes'][number], settings: RunSettings, profile: Profile, open: OpenTarget, afterProbe?: AfterProbe): Promise<Observation> {
  const node = setting.name || profile.node.name;
  const nodeProfile = profileForNode(profile, node);
  if (setting.unreachable !== undefined) return { node, target: setting.target, failure: 'unreachable', message: setting.unreachable };
  try {
    const spec = parseTargetSpec(setting.target);
    // The runner's own view of the read-only port, taken while the probe runs on the node: an HTTP GET, so a
    // kubelet answering is told apart from a forward or another program that only accepts the connection.
    const readOnlyPort = nodeProfile.kubelet.legacyReadOnlyPort;
    const outside = httpProbe(readOnlyPortUrl(spec.kind === 'ssh' ? spec.host : '127.0.0.1', readOnlyPort), { timeoutMs: 3000 });
    const target = await open(spec, {
      identityFile: settings.identityFile,
      knownHostsFile: settings.knownHostsFile,
      acceptNewHostKey: settings.acceptNewHostKey,
      connectTimeoutMs: settings.connectTimeoutMs,
      commandTimeoutMs: settings.commandTimeoutMs,
    });
    try {
      const facts = await gatherFacts(target, {
        node,
        requests: nodeRequests(nodeProfile),
        // The node's profile names containerd's config path: imports are found wherever the config lives.
        followUps: (round1) => nodeFollowUps(round1, nodeProfile),
        timeoutMs: settings.commandTimeoutMs,
      });
      const observed = { node, target: setting.target, facts: { ...facts, runner: { http: { [readOnlyPort]: await outside } } } };
      const live = await afterProbe?.(target);
      return live === undefined ? observed : { ...observed, live };
    } finally {
      await target.close();
    }
  } catch (cause) {
    // A bad setting (no credentials, an unreadable key) is the user's to fix, not a verdict about the node.
    if (!(cause instanceof TargetError)) throw cause;
    return { node, target: setting.target, failure: cause.failure, message: cause.oneLine() };
  }
}

/** The cluster reader; a seam so tests can count reads or stand in a failure. */
export type ReadCluster = typeof readClusterState;

export async function observeNodes(
  settings: RunSettings,
  profile: Profile,
  open: OpenTarget = openTarget,
  readCluster: ReadCluster = readClusterState,
  runLive: RunLive = runLiveThroughCluster,
  runNodeLive?: RunNodeLive,
): Promise<Observation[]> {
  if (settings.snapshot) {
    const snapshot = await loadSnapshot(settings.snapshot);
    const source = `snapshot:${settings.snapshot}`;
    const nodes: Observation[] = [
      ...snapshot.nodes.map((facts) => ({ node: facts.node, target: source, facts })),
      // The recorded failure, as the live run saw it: a replay of a run that exited 3 exits 3.
      ...snapshot.unobserved.map((u) => ({ node: u.node, target: `${u.target} (recorded in ${source})`, failure: u.failure, message: u.message })),
    ];
    // An explicit kubeconfig reads the cluster now (the node facts stay recorded); otherwise the recorded cluster.
    const live = settings.cluster.kubeconfig !== undefined;
    return mapLimited(nodes, settings.concurrency, async (o) => ({
      ...o,
      cluster: live ? await readCluster(settings.cluster, true, o.node, profileForNode(profile, o.node)) : replayedClusterState(snapshot.cluster, o.node),
      live: { kind: 'not-run', reason: settings.cluster.live ? replayRunsNoLive : 'live check: it runs workloads on the node, run with --live' } as const,
    }));
  }
  // At most `concurrency` nodes at once: each holds an SSH connection and a probe's output in memory. The
  // node's cluster reads overlap its probe: neither waits for the other.
  const observations = await mapLimited(settings.nodes, settings.concurrency, async (n): Promise<Observation> => {
    const node = n.name || profile.node.name;
    const nodeProfile = profileForNode(profile, node);
    const reading = readCluster(settings.cluster, false, node, nodeProfile);
    reading.catch(() => {}); // awaited below; a rejection while the probe runs is not unhandled
    const { liveImage } = settings.cluster;
    // Without cluster access, --live --live-image runs its three rows through this node's own target once the
    // probe is done (same login, identity, known hosts and timeouts), before the connection is closed.
    const afterProbe: AfterProbe | undefined = settings.cluster.live && liveImage !== undefined
      ? async (target) => ((await reading).kind === 'none' ? nodeLiveState(target, liveImage, nodeProfile, settings.commandTimeoutMs, runNodeLive, settings) : undefined)
      : undefined;
    const [o, cluster] = await Promise.all([observeLive(n, settings, profile, open, afterProbe), reading]);
    // The live checks run workloads on the node once its cluster side is known (they need the cluster).
    const live = o.live ?? ('failure' in o && afterProbe !== undefined && cluster.kind === 'none'
      ? { kind: 'not-run', reason: `live check: the node could not be observed (${o.message}), so nothing ran on it` } as const
      : await liveStateOf(settings.cluster, cluster.kind === 'none' ? cluster.reason : undefined, node, nodeProfile, runLive, { facts: 'facts' in o ? o.facts : undefined, cluster: cluster.kind === 'observed' ? cluster.facts : undefined }, settings));
    return { ...o, cluster, live };
  });
  if (settings.saveSnapshot) {
    await saveSnapshot(
      settings.saveSnapshot,
      observations.flatMap((o) => ('facts' in o ? [o.facts] : [])),
      observations.flatMap((o) => ('facts' in o ? [] : [{ node: o.node, target: o.target, failure: o.failure, message: o.message }])),
      observations.flatMap((o) => (o.cluster?.kind === 'observed' ? [o.cluster.facts] : [])),
    );
  }
  return observations;
}
