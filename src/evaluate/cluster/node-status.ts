// What the API says about the Node itself: registered and Ready (KUBELET-3.1.4), its kubelet within the version
// skew of the API server (KUBELET-3.1.2), network available (NET-5.1.1), no pressure (RES-6.3.1), metrics served
// (RES-6.3.2).
import type { ClusterFacts, Condition, NodeObject } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { cniHint, journalExcerpt, notReadyDiagnosis, pressureDiagnosis } from './diagnosis.ts';
import { needRead, noClusterReason, type ClusterCheckProfile } from './evidence.ts';
import { heartbeatOf, heartbeatWords, kubeletDown, staleReadyWhy } from './kubelet-liveness.ts';

const describeCondition = (c: Condition): string => `${c.type}=${c.status}${c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`;

/**
 * KUBELET-3.1.4: a Node named node.name exists and its Ready condition is True. Ready=True is only what the kubelet
 * last posted: when this run's probe of the same node found no kubelet running, it is stale and the check fails.
 */
export function evaluateNodeReady(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const expected = 'the Node object exists and its Ready condition is True';
  if (!cluster) return skip({ expected, actual: 'not observed', source: 'none' }, noClusterReason);
  const source = `GET /api/v1/nodes/${cluster.node}`;
  const r = cluster.nodeObject;
  // Not found is the evidence here: the node never registered (or was deleted), not a failure to observe.
  if (!r.ok && r.failure.kind === 'not-found') return fail({ expected, actual: 'no such Node', source }, `no Node named ${cluster.node} is registered: the kubelet never joined (kubeadm join) or registers under another name (--hostname-override; HOST-1.1.1).\n${journalExcerpt(node, cluster, 'kubelet')}`);
  if (!r.ok) return error({ expected, actual: 'unknown', source }, r.failure.message);
  const ready = r.value.conditions.find((c) => c.type === 'Ready');
  if (!ready) return error({ expected, actual: 'no Ready condition', source }, `the Node ${cluster.node} reports no Ready condition: the kubelet has not posted status yet`);
  const actual = describeCondition(ready);
  if (ready.status === 'True') {
    const beat = heartbeatWords(heartbeatOf(ready, cluster.gatheredAt));
    const down = kubeletDown(node, cluster.node);
    if (down) {
      return fail(
        { expected, actual: `${actual}, ${beat}; the node: ${down.evidence}`, source: `${source}; ${down.source}` },
        `the Node says Ready=True, but ${down.source} found ${down.evidence} — the Ready condition is stale (${beat}; the Node was read at ${cluster.gatheredAt}). ${staleReadyWhy}. ` +
          `Start the kubelet (\`systemctl start kubelet\`) and read why it stopped.\n${journalExcerpt(node, cluster, 'kubelet')}`,
      );
    }
    // Without the node's facts (a cluster-only run) the Node is all there is: passed, with the heartbeat named so a
    // reader can weigh it (a healthy kubelet re-posts an unchanged status only every nodeStatusReportFrequency).
    const unseen = node ? '' : ' The node itself was not probed in this run, so a kubelet that stopped within the grace period would not be noticed.';
    return pass({ expected, actual, source }, `Ready=True, ${beat}.${unseen}`);
  }
  return fail({ expected, actual, source }, `the Node is not Ready: ${actual}. ${ready.status === 'Unknown' ? 'The kubelet stopped posting status (down, or cut off from the API server): `journalctl -u kubelet`.' : 'Read the reason; with "container runtime network not ready" the CNI (Cilium) is down on this node.'}\n${notReadyDiagnosis(node, cluster, profile, ready)}`);
}

/** "v1.31.4" / "1.31" → minor; undefined when it is not such a version. */
export function minorOf(version: string): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** KUBELET-3.1.2: the kubelet's minor is the profile's, the API server's or up to `skew` older, never newer. */
export function evaluateKubeletSkew(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const cp = profile.cluster;
  const expected = `kubelet ${cp.kubernetesMinor}.x, the API server's minor or up to ${cp.kubeletSkewMinors} older, never newer`;
  const source = 'Node status.nodeInfo.kubeletVersion; GET /version';
  const n = needRead(cluster, (c) => c.nodeObject, { expected, source });
  if (!n.ok) return n.verdict;
  const v = needRead(cluster, (c) => c.version, { expected, source });
  if (!v.ok) return v.verdict;
  const kubelet = minorOf(n.value.kubeletVersion);
  const server = minorOf(`${v.value.major}.${v.value.minor.replace(/\D+$/, '')}`) ?? minorOf(v.value.gitVersion);
  const want = minorOf(cp.kubernetesMinor);
  const actual = `kubelet ${n.value.kubeletVersion || '(none)'}, API server ${v.value.gitVersion}`;
  if (!kubelet) return error({ expected, actual, source }, `the Node reports kubelet version "${n.value.kubeletVersion}", not a version`);
  if (!server) return error({ expected, actual, source }, `/version reports "${v.value.gitVersion}", not a version`);
  if (!want) return error({ expected, actual, source }, `the profile's kubernetesMinor "${cp.kubernetesMinor}" is not a minor version`);
  const problems: string[] = [];
  if (kubelet.major !== server.major) problems.push(`the kubelet's major ${kubelet.major} is not the API server's ${server.major}`);
  else if (kubelet.minor > server.minor) problems.push(`the kubelet (1.${kubelet.minor}) is newer than the API server (1.${server.minor}): unsupported, upgrade the control plane first`);
  else if (server.minor - kubelet.minor > cp.kubeletSkewMinors) problems.push(`the kubelet is ${server.minor - kubelet.minor} minors behind the API server, more than the ${cp.kubeletSkewMinors} the skew policy allows`);
  if (kubelet.major !== want.major || kubelet.minor !== want.minor) problems.push(`the profile pins ${cp.kubernetesMinor}, the kubelet runs ${kubelet.major}.${kubelet.minor} (held packages drifted, KUBELET-3.1.1)`);
  return problems.length === 0 ? pass({ expected, actual, source }) : fail({ expected, actual, source }, `${problems.join('; ')}.`);
}

/** The Node, or the verdict when it could not be read (a missing Node is an error here: KUBELET-3.1.4 says why). */
function nodeFor(cluster: ClusterFacts | undefined, expected: string, source: string): { ok: true; node: NodeObject } | { ok: false; verdict: Verdict } {
  const n = needRead(cluster, (c) => c.nodeObject, { expected, source });
  return n.ok ? { ok: true, node: n.value } : n;
}

/** NET-5.1.1: NetworkUnavailable is not True (absent means the CNI never set it, which is fine). */
export function evaluateNetworkAvailable(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const expected = 'Node condition NetworkUnavailable is not True';
  const source = 'Node status.conditions';
  const n = nodeFor(cluster, expected, source);
  if (!n.ok) return n.verdict;
  const c = n.node.conditions.find((x) => x.type === 'NetworkUnavailable');
  if (!c) return pass({ expected, actual: 'NetworkUnavailable not reported', source }, 'the CNI did not set the condition; no route controller claims the network is down');
  const actual = describeCondition(c);
  if (c.status === 'True') return fail({ expected, actual, source }, `the Node's network is unavailable: ${actual}. Pods on it get no network; check the Cilium agent on this node (NET-5.1.2).\n${cniHint(node, cluster, profile)}`);
  return pass({ expected, actual, source });
}

const pressures = ['MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/** RES-6.3.1: MemoryPressure, DiskPressure, PIDPressure are all False. */
export function evaluateNoPressure(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, _profile: ClusterCheckProfile): Verdict {
  const expected = `${pressures.join(', ')} all False`;
  const source = 'Node status.conditions';
  const n = nodeFor(cluster, expected, source);
  if (!n.ok) return n.verdict;
  const seen = pressures.map((p) => ({ p, c: n.node.conditions.find((x) => x.type === p) }));
  const actual = seen.map(({ p, c }) => (c ? `${p}=${c.status}` : `${p} not reported`)).join(', ');
  const missing = seen.filter(({ c }) => !c).map(({ p }) => p);
  const on = seen.filter(({ c }) => c?.status === 'True');
  if (on.length) return fail({ expected, actual, source }, `${on.map(({ c }) => (c ? describeCondition(c) : '')).join('; ')}. Under pressure the kubelet evicts pods and the scheduler avoids the node: find what fills memory, disk or PIDs (\`kubectl describe node\`).\n${pressureDiagnosis(node, cluster, on.flatMap(({ c }) => (c ? [c] : [])))}`);
  if (missing.length) return error({ expected, actual, source }, `the kubelet reports no ${missing.join(', ')} condition, so pressure is unobserved`);
  // The node lifecycle controller sets every condition Unknown (NodeStatusUnknown) once the kubelet stops posting:
  // the last pressure the kubelet saw is gone, so nothing is observed, neither pressure nor its absence.
  const unknown = seen.filter(({ c }) => c && c.status !== 'False');
  if (unknown.length) return error({ expected, actual, source }, `${unknown.map(({ c }) => (c ? describeCondition(c) : '')).join('; ')}: the kubelet stopped posting status, so pressure is unobserved. KUBELET-3.1.4 says why the kubelet is silent.`);
  return pass({ expected, actual, source });
}

/** RES-6.3.2: metrics.k8s.io serves the node's usage (metrics-server installed and scraping this kubelet). */
export function evaluateNodeMetrics(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, _profile: ClusterCheckProfile): Verdict {
  const expected = 'metrics.k8s.io returns cpu and memory usage for the node';
  const source = cluster ? `GET /apis/metrics.k8s.io/v1beta1/nodes/${cluster.node}` : 'metrics.k8s.io';
  if (!cluster) return skip({ expected, actual: 'not observed', source }, noClusterReason);
  const r = cluster.nodeMetrics;
  if (!r.ok && r.failure.kind === 'not-found') return fail({ expected, actual: 'not served', source }, `metrics.k8s.io has no usage for ${cluster.node}: metrics-server is not installed, or cannot scrape this kubelet (its serving certificate, KUBELET-3.3.x). The server said: ${r.failure.message}`);
  if (!r.ok && r.failure.kind === 'transient' && r.failure.status === 503) return fail({ expected, actual: 'unavailable', source }, `the metrics API is registered but unavailable (503): metrics-server is down. ${r.failure.message}`);
  if (!r.ok) return error({ expected, actual: 'unknown', source }, r.failure.message);
  return pass({ expected, actual: `cpu ${r.value.cpu}, memory ${r.value.memory}${r.value.timestamp ? ` at ${r.value.timestamp}` : ''}`, source });
}
