// Everything the static suites need from one node, in one probe: each area contributes its requests.
import type { Profile } from '../profile/schema.ts';
import { hostAndRuntimeRequests, type ProbeRequest } from './requirements.ts';
import { securityRequests } from './requirements-security.ts';

export function nodeRequests(profile: Profile): ProbeRequest[] {
  return [...hostAndRuntimeRequests(profile), ...securityRequests(profile)];
}
