// Everything the static suites need from one node, in one probe: each area contributes its requests.
import type { Profile } from '../profile/schema.ts';
import { kubeletFollowUps, kubeletRequests } from './requirements-kubelet.ts';
import { hostAndRuntimeRequests, type ProbeRequest } from './requirements.ts';
import { securityRequests } from './requirements-security.ts';
import type { NodeFacts } from './types.ts';

export function nodeRequests(profile: Profile): ProbeRequest[] {
  return [...hostAndRuntimeRequests(profile), ...kubeletRequests(profile), ...securityRequests(profile)];
}

/** What only the first round can name (the kubelet's --config file, its kubeconfig): read in a second round trip. */
export function nodeFollowUps(round1: NodeFacts): ProbeRequest[] {
  return kubeletFollowUps(round1);
}
