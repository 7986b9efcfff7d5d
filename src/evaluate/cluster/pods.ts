// What the pods on this node may do to it: none outside the system namespaces escapes its sandbox (SEC-4.3.6) or
// mounts the runtime socket (RT-2.3.3); workload containers have read-only root filesystems (SEC-4.3.7).
import type { ClusterFacts, PodSummary } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { fail, pass, type Verdict } from '../verdict.ts';
import { listSome, needRead, podRef, type ClusterCheckProfile } from './evidence.ts';

const live = (p: PodSummary): boolean => p.phase !== 'Succeeded' && p.phase !== 'Failed';

/** "/var/run/" → "/var/run", "//run" → "/run"; "/" stays. */
export function normalisePath(p: string): string {
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  return `/${parts.join('/')}`;
}

/** A hostPath at or above the socket (the socket itself, its directory, /run, /): the socket is reachable. */
export function exposesPath(hostPath: string, target: string): boolean {
  const h = normalisePath(hostPath);
  const t = normalisePath(target);
  return h === '/' || t === h || t.startsWith(`${h}/`);
}

/** RT-2.3.3: no pod outside the system namespaces mounts the runtime socket or a directory above it. */
export function evaluateNoSocketMount(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const cp = profile.cluster;
  const expected = `no pod outside ${cp.systemNamespaces.join(', ')} has a hostPath at or above ${cp.runtimeSocketPaths.join(' or ')}`;
  const source = cluster ? `pods on ${cluster.node} (spec.volumes[].hostPath)` : 'pods on the node';
  const r = needRead(cluster, (c) => c.podsOnNode, { expected, source });
  if (!r.ok) return r.verdict;
  const offenders: string[] = [];
  let exempt = 0;
  for (const p of r.value.filter(live)) {
    const hits = p.hostPathVolumes.filter((v) => cp.runtimeSocketPaths.some((s) => exposesPath(v.path, s)));
    if (hits.length === 0) continue;
    if (cp.systemNamespaces.includes(p.namespace)) exempt++;
    else offenders.push(`${podRef(p)} (${hits.map((h) => `${h.name}: ${h.path}`).join(', ')})`);
  }
  const actual = offenders.length ? `${offenders.length} pods mount it: ${listSome(offenders)}` : `no workload pod mounts it${exempt ? ` (${exempt} in system namespaces, allowed)` : ''}`;
  if (offenders.length) return fail({ expected, actual, source }, `${listSome(offenders)}: a pod with the containerd socket can start privileged containers on the host, which is root on the node. Remove the volume, or move a real node agent into a system namespace of the profile.`);
  return pass({ expected, actual, source });
}

/** Why a pod escapes its sandbox, each reason as a short phrase. */
function escapes(p: PodSummary): string[] {
  const out: string[] = [];
  if (p.hostPID) out.push('hostPID');
  if (p.hostIPC) out.push('hostIPC');
  if (p.hostNetwork) out.push('hostNetwork');
  for (const v of p.hostPathVolumes) out.push(`hostPath ${v.path}`);
  for (const c of p.containers) {
    if (c.privileged === true) out.push(`${c.name} privileged`);
    // Only an explicit true counts: unset is "allowed" by Kubernetes' default, which Pod Security restricted
    // forbids and SEC-4.3.3 enforces; flagging every unset field would drown the pods that ask for it.
    if (c.allowPrivilegeEscalation === true) out.push(`${c.name} allowPrivilegeEscalation`);
  }
  return out;
}

/** SEC-4.3.6: no running pod outside the system namespaces uses host namespaces, hostPath, privileged or escalation. */
export function evaluateNoSandboxEscape(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const cp = profile.cluster;
  const expected = `no pod outside ${cp.systemNamespaces.join(', ')} with privileged, hostPID, hostIPC, hostNetwork, hostPath or allowPrivilegeEscalation: true`;
  const source = cluster ? `pods on ${cluster.node} (spec)` : 'pods on the node';
  const r = needRead(cluster, (c) => c.podsOnNode, { expected, source });
  if (!r.ok) return r.verdict;
  const pods = r.value.filter(live);
  const offenders = pods.filter((p) => !cp.systemNamespaces.includes(p.namespace)).flatMap((p) => {
    const why = escapes(p);
    return why.length ? [`${podRef(p)}: ${why.join(', ')}`] : [];
  });
  const checked = pods.filter((p) => !cp.systemNamespaces.includes(p.namespace)).length;
  const actual = offenders.length ? listSome(offenders) : `${checked} workload pods checked, none escapes`;
  if (offenders.length) return fail({ expected, actual, source }, `${offenders.length} pods on this node can reach the host: ${listSome(offenders)}. Enforce Pod Security baseline or restricted in their namespaces (SEC-4.3.3) and redeploy them without these fields.`);
  return pass({ expected, actual, source });
}

/** SEC-4.3.7 (advisory): every container of the workload namespaces' pods on this node has readOnlyRootFilesystem. */
export function evaluateReadOnlyRoot(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const cp = profile.cluster;
  const expected = `every container of ${cp.workloadNamespaces.join(', ')} sets readOnlyRootFilesystem: true`;
  const source = cluster ? `pods on ${cluster.node} in the workload namespaces` : 'pods on the node';
  const r = needRead(cluster, (c) => c.podsOnNode, { expected, source });
  if (!r.ok) return r.verdict;
  const pods = r.value.filter((p) => live(p) && cp.workloadNamespaces.includes(p.namespace));
  const writable = pods.flatMap((p) => p.containers.filter((c) => c.kind !== 'ephemeral' && c.readOnlyRootFilesystem !== true).map((c) => `${podRef(p)}:${c.name}`));
  const containers = pods.reduce((n, p) => n + p.containers.filter((c) => c.kind !== 'ephemeral').length, 0);
  if (pods.length === 0) return pass({ expected, actual: 'no workload pod on this node', source }, 'no pod of the workload namespaces runs on this node');
  const actual = writable.length ? `${writable.length} of ${containers} containers writable: ${listSome(writable)}` : `${containers} containers, all read-only`;
  if (writable.length) return fail({ expected, actual, source }, `${listSome(writable)} can write their root filesystem: an intruder can drop tools there. Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.`);
  return pass({ expected, actual, source });
}
