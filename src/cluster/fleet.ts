// The fleet behind --nodes SELECTOR: one list of Nodes by label selector, each mapped to the SSH target at its
// InternalIP, and a Node with no InternalIP kept as unreachable with that reason (never silently dropped).
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import type { ApiRequest } from './failure.ts';
import type { LoadedKubeconfig } from './kubeconfig.ts';
import { defaultRetryPolicy, readOnce, UnexpectedResponseError, type RetryPolicy } from './read.ts';
import type { Read } from './types.ts';

/** How every matching Node is logged into: the same user, port for the whole fleet (key and known_hosts are the run's). */
export interface SshTemplate {
  readonly user: string;
  readonly port: number;
}

/** One Node of the fleet: its SSH target, or why it cannot be reached. */
export type FleetMember =
  | { readonly name: string; readonly target: string }
  | { readonly name: string; readonly unreachable: string };

/** The RBAC request behind the list, so a 403 names the grant (deploy/rbac.yaml's read-only role has it). */
export const listNodesRequest = (): ApiRequest => ({ verb: 'list', resource: 'nodes', group: '' });

/** IPv6 hosts go in brackets, as parseTargetSpec wants them (ssh://user@[fd00::1]:22). */
function sshTarget(address: string, ssh: SshTemplate): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `ssh://${ssh.user}@${host}:${ssh.port}`;
}

/**
 * Pure: Nodes → fleet members, sorted by name so reports and JUnit suites keep one order between runs. The first
 * InternalIP wins (a dual-stack Node lists one per family; the kubelet puts its primary family first).
 */
export function fleetTargets(nodes: readonly V1Node[], ssh: SshTemplate): FleetMember[] {
  const members = nodes.map((n): FleetMember => {
    const name = n.metadata?.name ?? '';
    if (name === '') throw new UnexpectedResponseError('a Node in the list has no metadata.name');
    const addresses = n.status?.addresses ?? [];
    const internal = addresses.find((a) => a.type === 'InternalIP' && a.address.trim() !== '');
    if (internal) return { name, target: sshTarget(internal.address.trim(), ssh) };
    const listed = addresses.length === 0 ? 'it lists no address' : `it lists only ${addresses.map((a) => `${a.type} ${a.address}`).join(', ')}`;
    return { name, unreachable: `Node ${name} has no InternalIP in status.addresses (${listed}): nodegate cannot tell where to SSH` };
  });
  return members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One list call, retried like every other read; the caller decides what a failure means for the run. */
export async function listFleet(loaded: LoadedKubeconfig, selector: string, ssh: SshTemplate, policy: RetryPolicy = defaultRetryPolicy): Promise<Read<FleetMember[]>> {
  const core = loaded.kc.makeApiClient(CoreV1Api);
  return readOnce(listNodesRequest(), async () => fleetTargets((await core.listNode({ labelSelector: selector })).items, ssh), policy);
}
