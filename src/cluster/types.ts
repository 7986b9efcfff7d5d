// ClusterFacts: what one run read from the Kubernetes API about the node under test, as plain serialisable data
// (projected objects, no secrets) so it can be snapshotted and replayed like NodeFacts.

/** Why a read gave nothing: the verdicts built on it are errors, never passes. */
export type ReadFailureKind = 'unauthorized' | 'forbidden' | 'not-found' | 'transient' | 'unreachable' | 'invalid';

export interface ReadFailure {
  readonly kind: ReadFailureKind;
  /** HTTP status when the server answered. */
  readonly status?: number;
  /** The request in RBAC words: "list pods (core) at cluster scope", "get nodes/proxy (core) worker-01". */
  readonly request: string;
  /** One sentence a person acts on, naming the verb and resource and how to grant it. */
  readonly message: string;
}

export type Read<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly failure: ReadFailure; readonly attempts: number };

export interface ServerVersion {
  readonly gitVersion: string;
  readonly major: string;
  readonly minor: string;
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  /** When the kubelet last posted this condition (RFC 3339, as the API serves it): how stale a Ready=True may be. */
  readonly lastHeartbeatTime?: string;
}

export interface NodeObject {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly kubeletVersion: string;
  readonly conditions: readonly Condition[];
  readonly capacity: Readonly<Record<string, string>>;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly addresses: readonly { readonly type: string; readonly address: string }[];
}

export interface SeccompRef {
  readonly type: string;
  readonly localhostProfile?: string;
}

export interface ContainerSummary {
  readonly name: string;
  readonly kind: 'container' | 'init' | 'ephemeral';
  readonly image: string;
  readonly privileged?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly readOnlyRootFilesystem?: boolean;
  readonly seccompProfile?: SeccompRef;
}

export interface ContainerStatusSummary {
  readonly name: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly state: 'running' | 'waiting' | 'terminated' | 'unknown';
  readonly reason?: string;
}

export interface PodSummary {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName?: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly hostPID: boolean;
  readonly hostIPC: boolean;
  readonly hostNetwork: boolean;
  readonly seccompProfile?: SeccompRef;
  /** Volumes that mount the host: only hostPath ones are kept, with their path. */
  readonly hostPathVolumes: readonly { readonly name: string; readonly path: string }[];
  readonly containers: readonly ContainerSummary[];
  readonly containerStatuses: readonly ContainerStatusSummary[];
}

export interface NamespaceSummary {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface NetworkPolicySummary {
  readonly namespace: string;
  readonly name: string;
  /** The pod selector has neither matchLabels nor matchExpressions: it selects every pod of the namespace. */
  readonly selectsAllPods: boolean;
  readonly policyTypes: readonly string[];
  readonly ingressRules: number;
}

export interface NodeMetrics {
  readonly cpu: string;
  readonly memory: string;
  readonly timestamp?: string;
}

export interface ClusterFacts {
  readonly format: 'nodegate-cluster/1';
  /** The Node name audited. */
  readonly node: string;
  /** API server URL and kubeconfig context used (never the credentials). */
  readonly server: string;
  readonly context: string;
  readonly gatheredAt: string;
  readonly durationMs: number;
  readonly version: Read<ServerVersion>;
  readonly nodeObject: Read<NodeObject>;
  readonly podsOnNode: Read<readonly PodSummary[]>;
  readonly namespaces: Read<readonly NamespaceSummary[]>;
  /** Per workload namespace of the profile. */
  readonly networkPolicies: Readonly<Record<string, Read<readonly NetworkPolicySummary[]>>>;
  /** kube-system (the profile's Cilium namespace) pods, every node: the agent, relay and operator live there. */
  readonly systemPods: Read<readonly PodSummary[]>;
  /** The kubelet's /configz through the node proxy, as the kubelet serialised it. */
  readonly configz: Read<Readonly<Record<string, unknown>>>;
  /** metrics.k8s.io usage of the node (metrics-server). */
  readonly nodeMetrics: Read<NodeMetrics>;
}
