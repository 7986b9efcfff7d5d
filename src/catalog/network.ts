// NET-5.* of the catalog (docs/catalog.md) (suites/network): the rows evaluated from the API and the live rows.
import { checkIn, type CheckDeclaration } from './types.ts';

const network = checkIn('network');

export const networkChecks: readonly CheckDeclaration[] = [
  network({
    id: 'NET-5.1.1',
    title: 'Node network is available',
    threat: 'availability',
    level: 'required',
    fix: 'manual',
    remediation: 'NetworkUnavailable=True means the CNI did not set up this node: check the Cilium agent here (NET-5.1.2) and `kubectl describe node`.',
  }),
  network({
    id: 'NET-5.1.2',
    title: 'Cilium agent runs on this node',
    threat: 'network-traffic',
    level: 'required',
    fix: 'manual',
    cis: '5.3.1',
    remediation: 'Make the cilium DaemonSet schedule here (tolerations, nodeSelector) and read the agent\'s logs: `kubectl -n kube-system logs -l k8s-app=cilium --field-selector spec.nodeName=NODE`.',
  }),
  network({
    id: 'NET-5.1.3',
    title: 'Cilium agent is healthy',
    threat: 'network-traffic',
    level: 'required',
    fix: 'manual',
    remediation: '`kubectl -n kube-system exec POD -- cilium-dbg status --brief` names the failing subsystem; a crash loop\'s previous logs (`logs --previous`) say why.',
  }),
  network({
    id: 'NET-5.1.4',
    title: 'Cilium endpoints are programmed on this node',
    threat: 'network-traffic',
    level: 'advisory',
    fix: 'manual',
    remediation: 'Pods stuck in ContainerCreating on this node: `kubectl describe pod` shows the CNI error; `cilium-dbg bpf endpoint list` in the agent shows what is programmed.',
  }),
  network({
    id: 'NET-5.1.5',
    title: 'Network observability is on',
    threat: 'network-traffic',
    level: 'advisory',
    fix: 'manual',
    remediation: '`cilium hubble enable` (or Helm values hubble.relay.enabled=true) and wait for the hubble-relay Deployment to be available.',
  }),
  network({
    id: 'NET-5.4.3',
    title: 'Workload namespaces have default-deny policies',
    threat: 'network-traffic',
    level: 'required',
    fix: 'auto',
    cis: '5.3.2',
    remediation: 'Apply in each workload namespace: a NetworkPolicy named default-deny-ingress with `podSelector: {}` and `policyTypes: [Ingress]` and no ingress rules.',
  }),
];

/** Live rows (phase 2: they run workloads through the live harness); declared here so their IDs have a home. */
export const networkLiveIds = ['NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2'] as const;
