// Reads, once per run, everything the cluster-side checks need about one node, in parallel, each read recorded
// as a value or a typed failure: the ClusterFacts every check shares (no check opens a connection).
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, VersionApi } from '@kubernetes/client-node';
import type { ApiRequest } from './failure.ts';
import type { LoadedKubeconfig } from './kubeconfig.ts';
import type { ClusterProfile } from '../profile/cluster.ts';
import { projectNamespace, projectNetworkPolicy, projectNode, projectPod, projectVersion } from './project.ts';
import { defaultRetryPolicy, readOnce, UnexpectedResponseError, type RetryPolicy } from './read.ts';
import type { ClusterFacts, NetworkPolicySummary, NodeMetrics, Read } from './types.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The node proxy answers /configz as JSON text; the client may hand it over parsed or as a string. */
export function parseConfigz(body: unknown): Record<string, unknown> {
  let v = body;
  if (typeof body === 'string') {
    try {
      v = JSON.parse(body) as unknown;
    } catch {
      throw new UnexpectedResponseError(`/configz is not JSON: ${body.slice(0, 80)}`);
    }
  }
  if (!isRecord(v) || !isRecord(v['kubeletconfig'])) throw new UnexpectedResponseError('/configz has no "kubeletconfig" object');
  return v;
}

export function parseNodeMetrics(body: unknown): NodeMetrics {
  if (!isRecord(body) || !isRecord(body['usage'])) throw new UnexpectedResponseError('metrics.k8s.io NodeMetrics has no "usage"');
  const u = body['usage'];
  if (typeof u['cpu'] !== 'string' || typeof u['memory'] !== 'string') throw new UnexpectedResponseError('NodeMetrics usage lacks cpu or memory');
  return { cpu: u['cpu'], memory: u['memory'], ...(typeof body['timestamp'] === 'string' ? { timestamp: body['timestamp'] } : {}) };
}

/** The RBAC request behind each read: the same table deploy/rbac.yaml grants (a test keeps them in step). */
export const clusterReads = {
  version: (): ApiRequest => ({ verb: 'get', resource: '', group: '', nonResourceURL: '/version' }),
  node: (name: string): ApiRequest => ({ verb: 'get', resource: 'nodes', group: '', name }),
  podsOnNode: (): ApiRequest => ({ verb: 'list', resource: 'pods', group: '' }),
  namespaces: (): ApiRequest => ({ verb: 'list', resource: 'namespaces', group: '' }),
  networkPolicies: (namespace: string): ApiRequest => ({ verb: 'list', resource: 'networkpolicies', group: 'networking.k8s.io', namespace }),
  systemPods: (namespace: string): ApiRequest => ({ verb: 'list', resource: 'pods', group: '', namespace }),
  configz: (name: string): ApiRequest => ({ verb: 'get', resource: 'nodes/proxy', group: '', name }),
  nodeMetrics: (name: string): ApiRequest => ({ verb: 'get', resource: 'nodes', group: 'metrics.k8s.io', name }),
} as const;

export interface GatherOptions {
  readonly retry?: RetryPolicy;
  readonly now?: () => number;
}

export async function gatherClusterFacts(loaded: LoadedKubeconfig, nodeName: string, profile: ClusterProfile, options: GatherOptions = {}): Promise<ClusterFacts> {
  const { kc } = loaded;
  const policy = options.retry ?? defaultRetryPolicy;
  const now = options.now ?? Date.now;
  const started = now();
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const versionApi = kc.makeApiClient(VersionApi);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const r = clusterReads;
  const sysNs = profile.cilium.namespace;

  const policies = Promise.all(
    profile.workloadNamespaces.map(async (ns) => [ns, await readOnce(r.networkPolicies(ns), async () => (await net.listNamespacedNetworkPolicy({ namespace: ns })).items.map(projectNetworkPolicy), policy)] as const),
  );
  const [version, nodeObject, podsOnNode, namespaces, systemPods, configz, nodeMetrics, netpols] = await Promise.all([
    readOnce(r.version(), async () => projectVersion(await versionApi.getCode()), policy),
    readOnce(r.node(nodeName), async () => projectNode(await core.readNode({ name: nodeName })), policy),
    readOnce(r.podsOnNode(), async () => (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` })).items.map(projectPod), policy),
    readOnce(r.namespaces(), async () => (await core.listNamespace()).items.map(projectNamespace), policy),
    readOnce(r.systemPods(sysNs), async () => (await core.listNamespacedPod({ namespace: sysNs })).items.map(projectPod), policy),
    readOnce(r.configz(nodeName), async () => parseConfigz(await core.connectGetNodeProxyWithPath({ name: nodeName, path: 'configz' })), policy),
    readOnce(r.nodeMetrics(nodeName), async () => parseNodeMetrics(await custom.getClusterCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes', name: nodeName })), policy),
    policies,
  ]);
  const networkPolicies: Record<string, Read<readonly NetworkPolicySummary[]>> = {};
  for (const [ns, read] of netpols) networkPolicies[ns] = read;
  return {
    format: 'nodegate-cluster/1',
    node: nodeName,
    server: loaded.server,
    context: loaded.context,
    gatheredAt: new Date(started).toISOString(),
    durationMs: now() - started,
    version,
    nodeObject,
    podsOnNode,
    namespaces,
    networkPolicies,
    systemPods,
    configz,
    nodeMetrics,
  };
}
