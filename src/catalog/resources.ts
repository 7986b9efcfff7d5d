// RES-6.* of the catalog (docs/catalog.md) (suites/resources): allocatable arithmetic and the Node's conditions and
// metrics.
import { checkIn, type CheckDeclaration } from './types.ts';

const resources = checkIn('resources');

export const resourcesChecks: readonly CheckDeclaration[] = [
  resources({
    id: 'RES-6.1.1',
    title: 'Allocatable memory honours the reservations',
    threat: 'resource-exhaustion',
    level: 'required',
    fix: 'manual',
    remediation: 'Fix the KUBELET-3.4.x checks (systemReserved, kubeReserved, evictionHard in the file the kubelet reads), then `systemctl restart kubelet` so the running kubelet applies them.',
  }),
  resources({
    id: 'RES-6.1.2',
    title: 'Allocatable CPU honours the reservations',
    threat: 'resource-exhaustion',
    level: 'required',
    fix: 'manual',
    remediation: 'Set systemReserved.cpu 500m and kubeReserved.cpu 200m in the kubelet config (KUBELET-3.4.1, 3.4.2), then restart the kubelet.',
  }),
  resources({
    id: 'RES-6.1.3',
    title: 'Allocatable ephemeral storage honours the reservations',
    threat: 'resource-exhaustion',
    level: 'advisory',
    fix: 'manual',
    remediation: 'Set the ephemeral-storage reservations (1Gi each) and evictionHard nodefs.available, then restart the kubelet.',
  }),
  resources({
    id: 'RES-6.1.4',
    title: 'Allocatable pods = maxPods',
    threat: 'resource-exhaustion',
    level: 'required',
    fix: 'manual',
    remediation: 'Set maxPods to the profile\'s value (KUBELET-3.4.5) and restart the kubelet.',
  }),
  resources({
    id: 'RES-6.3.1',
    title: 'Node has no pressure conditions',
    threat: 'resource-exhaustion',
    level: 'required',
    fix: 'manual',
    remediation: '`kubectl describe node` names the pressure; free memory, disk (images: `crictl rmi --prune`) or PIDs, and check the eviction thresholds.',
  }),
  resources({
    id: 'RES-6.3.2',
    title: 'Node metrics are served',
    threat: 'availability',
    level: 'advisory',
    fix: 'manual',
    remediation: 'Install metrics-server and make sure it can scrape this kubelet (serving certificate signed, KUBELET-3.3.x; or --kubelet-insecure-tls in a lab).',
  }),
];

/** Live rows (phase 2, the live harness). */
export const resourcesLiveIds = ['RES-6.2.1', 'RES-6.2.2', 'RES-6.2.3'] as const;
