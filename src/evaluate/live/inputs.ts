// What the cluster live run takes from the node under test rather than assuming: the kubelet's effective
// clusterDomain (the same effective configuration the KUBELET checks judge, /configz on top) for the NET-5.2.x DNS
// names, and what the node's own seccomp profile answers unshare(2) with for SEC-4.2.5; each says where it came from.
import { configzObject, effectiveWithConfigz } from '../../cluster/reservations.ts';
import type { ClusterFacts } from '../../cluster/types.ts';
import { seccompProfilePath } from '../../facts/requirements-security.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { errnoMessage, unshareExpectation } from '../../seccomp/expectation.ts';
import type { Profile } from '../../profile/schema.ts';
import { settingSource } from '../kubelet/evidence.ts';

/** The kubelet's own fallback is none (an empty clusterDomain gives pods no cluster search path); kubeadm writes this. */
export const assumedClusterDomain = 'cluster.local';

export interface ClusterDomainInput {
  readonly value: string;
  /** Where it was read, or why it is assumed: "file:/var/lib/kubelet/config.yaml", "configz", "assumed (…)". */
  readonly from: string;
}

/** What a pod under the profile should see when unshare(2) is denied. */
export type SeccompDenial =
  /** The syscall fails with this errno, whose strerror text busybox prints. */
  | { readonly kind: 'errno'; readonly errno: number; readonly text: string; readonly from: string }
  /** The process is killed by SIGSYS: a shell reports exit 159 (128 + 31) and prints no errno text. */
  | { readonly kind: 'signal'; readonly action: string; readonly from: string }
  /** The check cannot name a denial to look for: SEC-4.2.5 is an error saying this. */
  | { readonly kind: 'unknown'; readonly reason: string };

export interface LiveInputs {
  readonly clusterDomain: ClusterDomainInput;
  readonly seccomp: SeccompDenial;
}

/** The node as the run observed it: its probe facts (absent when unobserved) and its cluster facts (absent without). */
export interface ObservedNode {
  readonly facts?: NodeFacts | undefined;
  readonly cluster?: ClusterFacts | undefined;
}

export function clusterDomainOf(observed: ObservedNode): ClusterDomainInput {
  const { facts, cluster } = observed;
  if (facts) {
    const eff = effectiveWithConfigz(facts, cluster);
    const s = eff.setting('clusterDomain');
    const from = settingSource(eff, s);
    if (eff.blocking.length === 0 || eff.configz) {
      if (s.value?.type === 'string' && s.value.value !== '') return { value: s.value.value, from: `the kubelet's clusterDomain (${from})` };
      if (eff.blocking.length === 0) return { value: assumedClusterDomain, from: `assumed: the kubelet sets no clusterDomain (${from}), so pods get no cluster search domain` };
    }
    return { value: assumedClusterDomain, from: `assumed: the kubelet's configuration cannot be read (${eff.blocking.join('; ')})` };
  }
  // The node was not observed, but the running kubelet may still have answered /configz through the API.
  const cz = configzObject(cluster)?.['clusterDomain'];
  if (typeof cz === 'string' && cz !== '') return { value: cz, from: "the kubelet's clusterDomain (configz)" };
  return { value: assumedClusterDomain, from: 'assumed: neither the node\'s kubelet configuration nor /configz was read' };
}

/** EPERM is SCMP_ACT_ERRNO's errno without errnoRet, and what the guide's profile returns: the assumption is named. */
export const assumeEperm = (why: string): SeccompDenial => ({ kind: 'errno', errno: 1, text: errnoMessage(1) ?? 'Operation not permitted', from: `assumed EPERM: ${why}` });

export function seccompDenialOf(facts: NodeFacts | undefined, profile: Profile): SeccompDenial {
  const first = profile.seccomp.profiles[0];
  if (first === undefined) return { kind: 'unknown', reason: 'the profile names no seccomp profile' };
  const path = seccompProfilePath(profile, first);
  const file = facts?.files[path];
  if (!facts) return assumeEperm(`the node was not observed, so ${path} was not read`);
  if (file === undefined) return assumeEperm(`the probe did not read ${path}`);
  if (file.state === 'missing') return assumeEperm(`${path} is not on the node (SEC-4.2.1), so no pod can start under it`);
  if (file.state !== 'present' || file.content === undefined) return assumeEperm(`${path} could not be read`);
  const want = unshareExpectation(file.content);
  switch (want.kind) {
    case 'errno': {
      const text = errnoMessage(want.errno);
      if (text === undefined) return { kind: 'unknown', reason: `${path} answers unshare(2) with errno ${want.errno} (${want.from}), whose message nodegate cannot name to compare` };
      return { kind: 'errno', errno: want.errno, text, from: `${want.from} of ${path}` };
    }
    case 'signal':
      return { kind: 'signal', action: want.action, from: `${want.from} of ${path}` };
    case 'allowed':
      return { kind: 'unknown', reason: `${path} allows unshare(2) (${want.from}), so there is no denied syscall to try` };
    case 'unreadable':
      return { kind: 'unknown', reason: `cannot tell what ${path} answers unshare(2) with: ${want.reason}` };
  }
}

export function liveInputsOf(observed: ObservedNode, profile: Profile): LiveInputs {
  return { clusterDomain: clusterDomainOf(observed), seccomp: seccompDenialOf(observed.facts, profile) };
}
