// Expands --nodes SELECTOR into the run's node list before anything else checks it: one list of Nodes through the
// kubeconfig the cluster checks use; no match is a usage error, a list the API refuses means no node was observed.
import { listFleet, type FleetMember } from '../cluster/fleet.ts';
import { KubeconfigError, loadKubeconfig, type LoadedKubeconfig } from '../cluster/kubeconfig.ts';
import type { RetryPolicy } from '../cluster/read.ts';
import { ExitCode, NodegateError, UsageError } from '../errors.ts';
import { clusterSource } from './cluster.ts';
import type { NodeSetting, RunSettings } from './settings.ts';

/** The API would not list the Nodes (forbidden, unreachable, failing): no node of the fleet can be observed, exit 3. */
export class FleetListError extends NodegateError {
  readonly exitCode = ExitCode.unobservable;
}

const nodeSetting = (m: FleetMember): NodeSetting => ('target' in m ? { name: m.name, target: m.target } : { name: m.name, target: `node/${m.name}`, unreachable: m.unreachable });

/** Settings with `nodes` filled from the cluster when --nodes is given; unchanged otherwise. */
export async function expandFleet(settings: RunSettings, policy?: RetryPolicy): Promise<RunSettings> {
  const fleet = settings.fleet;
  if (!fleet) return settings;
  const source = clusterSource(settings.cluster, false);
  if (source.kind === 'none') {
    throw new UsageError(`--nodes "${fleet.selector}" lists Nodes through the Kubernetes API, but ${source.reason}`, 'pass --kubeconfig FILE (its identity needs "list nodes", granted by deploy/rbac.yaml\'s nodegate-read)');
  }
  let loaded: LoadedKubeconfig;
  try {
    loaded = loadKubeconfig(source);
  } catch (err) {
    if (err instanceof KubeconfigError) throw new UsageError(err.message, 'pass a readable kubeconfig with --kubeconfig (and an existing --context)');
    throw err;
  }
  const listed = await listFleet(loaded, fleet.selector, { user: fleet.sshUser, port: fleet.sshPort }, policy);
  if (!listed.ok) {
    const f = listed.failure;
    // 400 is the server rejecting the selector's syntax: the user's input, not the cluster's state.
    if (f.kind === 'invalid' && f.status === 400) throw new UsageError(`--nodes "${fleet.selector}": ${f.message}`, 'a label selector as kubectl takes it, e.g. pool=web,!gpu');
    const hint = f.kind === 'forbidden' || f.kind === 'unauthorized'
      ? 'bind deploy/rbac.yaml\'s ClusterRole nodegate-read (it grants "list nodes") to the identity in the kubeconfig'
      : 'check that the API server answers (kubectl get nodes), then run again';
    throw new FleetListError(`--nodes "${fleet.selector}": the Nodes could not be listed: ${f.message}`, hint);
  }
  if (listed.value.length === 0) {
    throw new UsageError(`--nodes: selector "${fleet.selector}" matched no Node (${loaded.server}, context ${loaded.context})`, 'check it with kubectl get nodes -l SELECTOR; an audit of no node proves nothing');
  }
  return { ...settings, nodes: listed.value.map(nodeSetting) };
}
