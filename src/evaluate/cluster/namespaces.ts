// The profile's workload namespaces: Pod Security enforced by label (SEC-4.3.3) and a default-deny ingress
// NetworkPolicy in each (NET-5.4.3). A namespace the profile names but the cluster lacks fails: the guide's
// workloads have nowhere safe to land.
import type { ClusterFacts, NamespaceSummary, NetworkPolicySummary } from '../../cluster/types.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { needRead, type ClusterCheckProfile } from './evidence.ts';

const enforceLabel = 'pod-security.kubernetes.io/enforce';

/** SEC-4.3.3: each workload namespace enforces baseline or restricted. */
export function evaluatePodSecurityLabels(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const cp = profile.cluster;
  const expected = `${cp.workloadNamespaces.join(', ')}: ${enforceLabel} = ${cp.podSecurityLevels.join(' or ')}`;
  const source = 'GET /api/v1/namespaces (labels)';
  const r = needRead(cluster, (c) => c.namespaces, { expected, source });
  if (!r.ok) return r.verdict;
  const byName = new Map<string, NamespaceSummary>(r.value.map((n) => [n.name, n]));
  const seen: string[] = [];
  const problems: string[] = [];
  for (const ns of cp.workloadNamespaces) {
    const n = byName.get(ns);
    if (!n) {
      seen.push(`${ns}: missing`);
      problems.push(`namespace ${ns} does not exist`);
      continue;
    }
    const level = n.labels[enforceLabel];
    seen.push(`${ns}: ${level ?? 'no enforce label'}`);
    if (level === undefined) problems.push(`${ns} has no ${enforceLabel} label: \`kubectl label ns ${ns} ${enforceLabel}=restricted\``);
    else if (!(cp.podSecurityLevels as readonly string[]).includes(level)) problems.push(`${ns} enforces "${level}", which admits privileged and hostPath pods`);
  }
  const actual = seen.join('; ');
  return problems.length === 0 ? pass({ expected, actual, source }) : fail({ expected, actual, source }, `${problems.join('; ')}. Without enforcement a hostPath or privileged pod is admitted there (SEC-4.3.4, SEC-4.3.5).`);
}

/** A policy that denies all ingress: selects every pod, has Ingress in policyTypes and no ingress rule. */
export const deniesAllIngress = (p: NetworkPolicySummary): boolean => p.selectsAllPods && p.policyTypes.includes('Ingress') && p.ingressRules === 0;

/** NET-5.4.3: each workload namespace has a default-deny ingress policy. */
export function evaluateDefaultDeny(_node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const cp = profile.cluster;
  const expected = `${cp.workloadNamespaces.join(', ')}: a NetworkPolicy with podSelector {}, Ingress in policyTypes and no ingress rule`;
  const source = `GET networkpolicies in ${cp.workloadNamespaces.join(', ')}`;
  const nss = needRead(cluster, (c) => c.namespaces, { expected, source });
  if (!nss.ok) return nss.verdict;
  const present = new Set(nss.value.map((n) => n.name));
  const seen: string[] = [];
  const problems: string[] = [];
  for (const ns of cp.workloadNamespaces) {
    if (!present.has(ns)) {
      seen.push(`${ns}: namespace missing`);
      problems.push(`namespace ${ns} does not exist`);
      continue;
    }
    const r = cluster?.networkPolicies[ns];
    if (!r) return error({ expected, actual: 'unknown', source }, `the NetworkPolicies of ${ns} were not read (the gather predates this profile's namespace list)`);
    if (!r.ok) return error({ expected, actual: 'unknown', source }, r.failure.message);
    const deny = r.value.find(deniesAllIngress);
    seen.push(`${ns}: ${deny ? deny.name : r.value.length ? `${r.value.length} policies, none deny all ingress` : 'no policies'}`);
    if (!deny) problems.push(`${ns} has no default-deny ingress policy${r.value.length ? ` (${r.value.map((p) => p.name).join(', ')} select only some pods or allow some ingress)` : ''}`);
  }
  const actual = seen.join('; ');
  return problems.length === 0
    ? pass({ expected, actual, source })
    : fail({ expected, actual, source }, `${problems.join('; ')}. Every pod there accepts traffic from any pod in the cluster: apply the guide's default-deny-ingress policy (podSelector: {}, policyTypes: [Ingress]).`);
}
