// The profile decides where the node's containerd listens and which seccomp profile a workload would use, so the
// CLI derives those options from it rather than from new flags.
import { posix } from 'node:path';
import type { Profile } from '../profile/schema.ts';
import type { NodeLiveOptions } from './run.ts';

/** Socket path and the first installed seccomp profile (localhost/<profile> resolves under seccomp.root). */
export function nodeLiveOptionsFromProfile(profile: Pick<Profile, 'containerd' | 'seccomp'>): Pick<NodeLiveOptions, 'address' | 'seccompProfile'> {
  const first = profile.seccomp.profiles[0];
  return {
    address: profile.containerd.socket.path,
    ...(first === undefined ? {} : { seccompProfile: posix.join(profile.seccomp.root, first) }),
  };
}
