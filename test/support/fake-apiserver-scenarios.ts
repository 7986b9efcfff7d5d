// Scenarios for the fixture API server: the guide's worker-01 in a healthy cluster, and one fault or drift at a
// time. Objects are shaped as the real API serves them (kubectl get -o json of a kubeadm + Cilium cluster).
import type { KubeObject, Scenario } from './fake-apiserver.ts';

export const nodeName = 'worker-01';

/** MemTotal 16384Mi; allocatable memory 14348Mi = 16384Mi − 1Gi − 512Mi − 500Mi, in Ki as the kubelet prints it. */
export const capacity = { cpu: '4', memory: '16777216Ki', 'ephemeral-storage': '102626232Ki', pods: '110', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' };
/**
 * ephemeral-storage: 105089261568 − 2Gi − int64(105089261568 × float32(10)/100) = 92432851607, computed by hand
 * (python struct 'f' rounding) from pkg/kubelet/eviction/api/types.go GetThresholdQuantity.
 */
export const allocatable = { cpu: '3300m', memory: '14692352Ki', 'ephemeral-storage': '92432851607', pods: '110', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' };

const cond = (type: string, status: string, reason: string, message = ''): KubeObject => ({
  type,
  status,
  reason,
  message,
  lastHeartbeatTime: '2026-11-30T05:00:00Z',
  lastTransitionTime: '2026-11-29T10:00:00Z',
});

export function node(over: { conditions?: KubeObject[]; capacity?: Record<string, string>; allocatable?: Record<string, string>; kubeletVersion?: string } = {}): KubeObject {
  return {
    metadata: { name: nodeName, labels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/worker': '' } },
    spec: { podCIDR: '10.244.1.0/24' },
    status: {
      capacity: over.capacity ?? capacity,
      allocatable: over.allocatable ?? allocatable,
      conditions: over.conditions ?? [
        cond('NetworkUnavailable', 'False', 'CiliumIsUp', 'Cilium is running on this node'),
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.20' },
        { type: 'Hostname', address: nodeName },
      ],
      nodeInfo: { kubeletVersion: over.kubeletVersion ?? 'v1.31.4', containerRuntimeVersion: 'containerd://1.7.29', kernelVersion: '6.8.0-49-generic', osImage: 'Ubuntu 24.04.1 LTS', architecture: 'amd64', operatingSystem: 'linux', kubeProxyVersion: '', machineID: 'm', systemUUID: 's', bootID: 'b' },
    },
  };
}

export const cond2 = cond;

interface PodOptions {
  readonly namespace: string;
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly node?: string;
  readonly phase?: string;
  readonly ready?: boolean;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostPaths?: Record<string, string>;
  readonly container?: Record<string, unknown>;
  readonly podSecurityContext?: Record<string, unknown>;
  readonly waiting?: string;
  readonly restartCount?: number;
}

export function pod(o: PodOptions): KubeObject {
  const ready = o.ready ?? true;
  const state = o.waiting ? { waiting: { reason: o.waiting, message: 'back-off 5m0s restarting failed container' } } : { running: { startedAt: '2026-11-29T10:01:00Z' } };
  return {
    metadata: { name: o.name, namespace: o.namespace, labels: o.labels ?? {} },
    spec: {
      nodeName: o.node ?? nodeName,
      ...(o.hostNetwork ? { hostNetwork: true } : {}),
      ...(o.hostPID ? { hostPID: true } : {}),
      ...(o.podSecurityContext ? { securityContext: o.podSecurityContext } : {}),
      volumes: Object.entries(o.hostPaths ?? {}).map(([name, path]) => ({ name, hostPath: { path, type: '' } })),
      containers: [{ name: 'main', image: 'registry.example/app:1', env: [{ name: 'DB_PASSWORD', value: 'not-for-snapshots' }], ...(o.container ? { securityContext: o.container } : {}) }],
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'main', ready, restartCount: o.restartCount ?? 0, image: 'registry.example/app:1', imageID: '', started: ready, state }],
    },
  };
}

const restricted = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };

export const workloadNamespaces = ['flask-apps', 'django-app', 'fastapi-app'];

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

export function denyAll(ns: string): KubeObject {
  return { metadata: { name: 'default-deny-ingress', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
}

/** The kubelet's /configz for the guide's config (the defaulted struct, as the kubelet serialises it). */
export function configz(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kubeletconfig: {
      enableServer: true,
      staticPodPath: '/etc/kubernetes/manifests',
      readOnlyPort: 0,
      authentication: { x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' }, webhook: { enabled: true, cacheTTL: '2m0s' }, anonymous: { enabled: false } },
      authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
      protectKernelDefaults: true,
      eventRecordQPS: 5,
      cgroupDriver: 'systemd',
      clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      streamingConnectionIdleTimeout: '4h0m0s',
      rotateCertificates: true,
      serverTLSBootstrap: true,
      podPidsLimit: 4096,
      seccompDefault: true,
      tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
      systemReserved: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1Gi' },
      kubeReserved: { cpu: '200m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
      evictionHard: { 'memory.available': '500Mi', 'nodefs.available': '10%', 'imagefs.available': '15%' },
      evictionSoft: { 'memory.available': '1Gi', 'nodefs.available': '15%' },
      evictionSoftGracePeriod: { 'memory.available': '1m30s', 'nodefs.available': '2m0s' },
      maxPods: 110,
      makeIPTablesUtilChains: true,
      ...over,
    },
  };
}

export function healthy(): Scenario {
  return {
    name: 'healthy',
    version: { major: '1', minor: '31', gitVersion: 'v1.31.4' },
    objects: {
      nodes: [node()],
      namespaces: [namespace('default'), namespace('kube-system'), ...workloadNamespaces.map((n) => namespace(n, { 'pod-security.kubernetes.io/enforce': 'restricted' }))],
      networkpolicies: workloadNamespaces.map(denyAll),
      pods: [
        pod({ namespace: 'kube-system', name: 'cilium-x7k2p', labels: { 'k8s-app': 'cilium' }, hostNetwork: true, hostPaths: { 'bpf-maps': '/sys/fs/bpf', 'cilium-run': '/var/run/cilium' }, container: { privileged: true } }),
        pod({ namespace: 'kube-system', name: 'cilium-9qz4m', labels: { 'k8s-app': 'cilium' }, node: 'control-plane', hostNetwork: true, container: { privileged: true } }),
        pod({ namespace: 'kube-system', name: 'hubble-relay-5c7d8b9f6-abcde', labels: { 'k8s-app': 'hubble-relay' }, node: 'control-plane' }),
        pod({ namespace: 'kube-system', name: 'coredns-7c65d6cfc9-xk2lp', labels: { 'k8s-app': 'kube-dns' } }),
        pod({
          namespace: 'flask-apps',
          name: 'web-6d9f7c-2hxkq',
          labels: { app: 'web' },
          container: restricted,
          podSecurityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/web-app.json' } },
        }),
      ],
    },
    configz: { [nodeName]: configz() },
    nodeMetrics: {
      [nodeName]: { kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1', metadata: { name: nodeName }, timestamp: '2026-11-30T05:00:00Z', window: '20.05s', usage: { cpu: '152345678n', memory: '2345678Ki' } },
    },
  };
}

/** One change to the healthy cluster. */
export function scenario(name: string, change: (s: Scenario) => Partial<Scenario>): Scenario {
  const base = healthy();
  return { ...base, ...change(base), name };
}

/** The token may not list pods at cluster scope: the pods-on-node read is forbidden. */
export const forbiddenPods = (): Scenario => scenario('403 on pods', () => ({ forbidden: ['list pods'] }));

/** The first pods-on-node list gets 429 with Retry-After: 1, then the request succeeds. */
export const rateLimited = (): Scenario => scenario('429 then success', () => ({ faults: [{ method: 'GET', path: /^\/api\/v1\/pods$/, status: 429, times: 1, retryAfter: '1' }] }));

/** The Node read gets a 500 twice, then succeeds. */
export const serverError = (): Scenario => scenario('500 then success', () => ({ faults: [{ method: 'GET', path: /^\/api\/v1\/nodes\/worker-01$/, status: 500, times: 2 }] }));

/**
 * The guide's reservations never reached the kubelet (tee'd into a file the kubelet does not read): /configz
 * has no reservations and the default eviction threshold, and the API shows allocatable = 16384Mi − 100Mi.
 */
export const reservationsNotApplied = (): Scenario =>
  scenario('reservations not applied', () => ({
    objects: {
      ...healthy().objects,
      nodes: [node({ allocatable: { ...allocatable, cpu: '4', memory: '16674816Ki', 'ephemeral-storage': '94580335255' } })],
    },
    configz: { [nodeName]: configz({ systemReserved: undefined, kubeReserved: undefined, evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%', 'imagefs.available': '15%', 'nodefs.inodesFree': '5%' } }) },
  }));

/** The file says readOnlyPort 0, but the running kubelet (per /configz) still serves 10255: never restarted. */
export const configzDrift = (): Scenario => scenario('configz disagrees with the file', () => ({ configz: { [nodeName]: configz({ readOnlyPort: 10255 }) } }));
