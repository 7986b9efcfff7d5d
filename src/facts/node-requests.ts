// Everything the static suites need from one node, in one probe: each area contributes its requests.
import { nodeCapacityRequests } from './requirements-capacity.ts';
import type { Profile } from '../profile/schema.ts';
import { defaultProfile } from '../profile/defaults.ts';
import { containerdFollowUps } from './requirements-containerd.ts';
import { kubeletFollowUps, kubeletRequests } from './requirements-kubelet.ts';
import { hostAndRuntimeRequests, type ProbeRequest } from './requirements.ts';
import { securityRequests } from './requirements-security.ts';
import type { NodeFacts } from './types.ts';

export function nodeRequests(profile: Profile): ProbeRequest[] {
  return [...hostAndRuntimeRequests(profile), ...kubeletRequests(profile), ...securityRequests(profile), ...nodeCapacityRequests(profile.cluster.kubeletRootDir)];
}

/**
 * What only the first round can name, read in a second round trip: the kubelet's --config file and kubeconfig,
 * and the files containerd's `imports` name. Without a profile the containerd config is at its default path.
 */
export function nodeFollowUps(round1: NodeFacts, profile?: Profile): ProbeRequest[] {
  return [...kubeletFollowUps(round1), ...containerdFollowUps(round1, (profile ?? defaultProfile).containerd.configPath)];
}
