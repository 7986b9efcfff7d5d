// SEC-4.2.6: every `localhost/<path>` seccomp profile a workload pod on this node names exists under the
// kubelet's seccomp root and is valid. The guide's trap: it installs profiles/web-app.json, then references
// localhost/web-app.json, so the pod never starts (CreateContainerError).
import type { ClusterFacts, PodSummary } from '../../cluster/types.ts';
import { readFile } from '../host/evidence.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { validateSeccompProfile } from '../../seccomp/validate.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';
import { listSome, needRead, podRef, type ClusterCheckProfile } from './evidence.ts';

export interface SeccompReference {
  readonly pod: string;
  /** As written in localhostProfile, relative to the seccomp root. */
  readonly profile: string;
}

/** The Localhost profiles workload pods on this node reference (pod level and per container). */
export function seccompReferences(pods: readonly PodSummary[], workloadNamespaces: readonly string[]): SeccompReference[] {
  const out: SeccompReference[] = [];
  for (const p of pods) {
    if (!workloadNamespaces.includes(p.namespace)) continue;
    const refs = [p.seccompProfile, ...p.containers.map((c) => c.seccompProfile)];
    for (const r of refs) if (r?.type === 'Localhost' && r.localhostProfile) out.push({ pod: podRef(p), profile: r.localhostProfile });
  }
  return out;
}

const rootOf = (profile: ClusterCheckProfile): string => profile.seccomp.root.replace(/\/+$/, '');

/** Files the probe must read for this check (to be added to the node's second probe round when wired). */
export function seccompReferencePaths(cluster: ClusterFacts, profile: ClusterCheckProfile): string[] {
  if (!cluster.podsOnNode.ok) return [];
  return [...new Set(seccompReferences(cluster.podsOnNode.value, profile.cluster.workloadNamespaces).map((r) => `${rootOf(profile)}/${r.profile}`))];
}

export function evaluateSeccompReferences(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, profile: ClusterCheckProfile): Verdict {
  const root = rootOf(profile);
  const expected = `every localhost/<path> seccomp profile that a workload pod on this node names exists under ${root} and is valid`;
  const source = `pods on ${cluster?.node ?? 'the node'} (seccompProfile); ${root}`;
  const r = needRead(cluster, (c) => c.podsOnNode, { expected, source });
  if (!r.ok) return r.verdict;
  const refs = seccompReferences(r.value, profile.cluster.workloadNamespaces);
  if (refs.length === 0) return pass({ expected, actual: 'no workload pod on this node names a Localhost profile', source });
  if (!node) return skip({ expected, actual: `${refs.length} references, node files not observed`, source }, 'the node itself was not observed (no --target): the referenced files cannot be checked');
  const byPath = new Map<string, string[]>();
  for (const ref of refs) byPath.set(ref.profile, [...(byPath.get(ref.profile) ?? []), ref.pod]);
  const problems: string[] = [];
  const seen: string[] = [];
  for (const [rel, pods] of byPath) {
    const path = `${root}/${rel.replace(/^\/+/, '')}`;
    const f = readFile(node, path);
    if (f.kind === 'unknown') return error({ expected, actual: 'unknown', source }, `${f.reason} (the probe reads what seccompReferencePaths() names)`);
    if (f.kind === 'missing') {
      // The trap: the same file name exists under one of the profile's installed paths.
      const base = rel.split('/').pop() ?? rel;
      const near = profile.seccomp.profiles.find((p) => p !== rel && p.split('/').pop() === base);
      seen.push(`${rel}: missing`);
      problems.push(`${listSome(pods, 3)} ${pods.length === 1 ? 'names' : 'name'} localhost/${rel}, but ${path} does not exist${near ? ` — the profile is installed as ${near}: reference localhost/${near}` : ''}; such a pod fails with CreateContainerError`);
      continue;
    }
    const v = validateSeccompProfile(f.text);
    if (!v.ok) {
      seen.push(`${rel}: invalid`);
      problems.push(`${path} (named by ${listSome(pods, 3)}) is not a valid profile: ${v.message}`);
      continue;
    }
    seen.push(`${rel}: valid`);
  }
  const actual = seen.join('; ');
  return problems.length === 0 ? pass({ expected, actual, source }) : fail({ expected, actual, source }, `${problems.join('; ')}.`);
}
