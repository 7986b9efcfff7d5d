// The cluster-side rows of the existing areas (runtime, kubelet, security) of the catalog (docs/catalog.md): checks
// that read the Kubernetes API.
import { checkIn, type CheckDeclaration } from './types.ts';

const runtime = checkIn('runtime');
const kubelet = checkIn('kubelet');
const security = checkIn('security');

export const clusterChecks: readonly CheckDeclaration[] = [
  runtime({
    id: 'RT-2.3.3',
    title: 'No pod on this node mounts the runtime socket',
    threat: 'container-escape',
    level: 'required',
    fix: 'manual',
    cis: '5.2.11',
    remediation: 'Remove hostPath volumes at or above /run/containerd (the socket, /run, /var/run, /) from workload pods; a node agent that needs the socket belongs in a profile system namespace.',
  }),
  kubelet({
    id: 'KUBELET-3.1.2',
    title: 'kubelet version is within skew of the API server',
    threat: 'availability',
    level: 'required',
    fix: 'manual',
    remediation: 'Install the profile\'s minor of kubelet (`apt-get install kubelet=1.31.*` then `apt-mark hold kubelet`); it may trail the API server by up to three minors and must never be newer.',
  }),
  kubelet({
    id: 'KUBELET-3.1.4',
    title: 'Node is registered and Ready',
    threat: 'availability',
    level: 'required',
    fix: 'manual',
    remediation: 'Join the node (`kubeadm join …`); if it is NotReady, read `journalctl -u kubelet` and the Ready condition\'s reason (container runtime or CNI not ready).',
  }),
  security({
    id: 'SEC-4.2.6',
    title: 'Profiles that workloads reference exist on this node',
    threat: 'container-escape',
    level: 'required',
    fix: 'manual',
    cis: '5.6.2',
    remediation: 'Make every `localhostProfile` a path relative to /var/lib/kubelet/seccomp that exists on the node: the guide installs profiles/web-app.json, so reference `localhost/profiles/web-app.json`.',
  }),
  security({
    id: 'SEC-4.3.3',
    title: 'Workload namespaces enforce Pod Security',
    threat: 'hostpath-escalation',
    level: 'required',
    fix: 'auto',
    cis: '5.2.1',
    remediation: '`kubectl label ns NAMESPACE pod-security.kubernetes.io/enforce=restricted` for each workload namespace (baseline at least).',
  }),
  security({
    id: 'SEC-4.3.6',
    title: 'No running pod on this node escapes its sandbox',
    threat: 'container-escape',
    level: 'required',
    fix: 'manual',
    cis: '5.2.2–5.2.6',
    remediation: 'Redeploy the listed pods without privileged, hostPID, hostIPC, hostNetwork, hostPath or allowPrivilegeEscalation: true, and enforce Pod Security in their namespaces (SEC-4.3.3).',
  }),
  security({
    id: 'SEC-4.3.7',
    title: 'Workload containers have read-only root filesystems',
    threat: 'container-escape',
    level: 'advisory',
    fix: 'manual',
    remediation: 'Set `securityContext.readOnlyRootFilesystem: true` on each listed container and mount an emptyDir where the application writes (/tmp, caches).',
  }),
];
