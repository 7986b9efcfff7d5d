// The cluster-side evaluators by catalog ID, for the suites to bind once the cluster layer is wired into runs.
import { evaluateAllocatableCpu, evaluateAllocatableEphemeral, evaluateAllocatableMemory, evaluateAllocatablePods } from './allocatable.ts';
import { evaluateCiliumAgent, evaluateCiliumEndpoints, evaluateCiliumHealth, evaluateHubbleRelay } from './cilium.ts';
import type { ClusterEvaluator } from './evidence.ts';
import { evaluateDefaultDeny, evaluatePodSecurityLabels } from './namespaces.ts';
import { evaluateKubeletSkew, evaluateNetworkAvailable, evaluateNodeMetrics, evaluateNodeReady, evaluateNoPressure } from './node-status.ts';
import { evaluateNoSandboxEscape, evaluateNoSocketMount, evaluateReadOnlyRoot } from './pods.ts';
import { evaluateSeccompReferences } from './seccomp-refs.ts';

export type { ClusterCheckProfile, ClusterEvaluator } from './evidence.ts';

export const clusterEvaluators: Readonly<Record<string, ClusterEvaluator>> = {
  'RT-2.3.3': evaluateNoSocketMount,
  'KUBELET-3.1.2': evaluateKubeletSkew,
  'KUBELET-3.1.4': evaluateNodeReady,
  'SEC-4.2.6': evaluateSeccompReferences,
  'SEC-4.3.3': evaluatePodSecurityLabels,
  'SEC-4.3.6': evaluateNoSandboxEscape,
  'SEC-4.3.7': evaluateReadOnlyRoot,
  'NET-5.1.1': evaluateNetworkAvailable,
  'NET-5.1.2': evaluateCiliumAgent,
  'NET-5.1.3': evaluateCiliumHealth,
  'NET-5.1.4': evaluateCiliumEndpoints,
  'NET-5.1.5': evaluateHubbleRelay,
  'NET-5.4.3': evaluateDefaultDeny,
  'RES-6.1.1': evaluateAllocatableMemory,
  'RES-6.1.2': evaluateAllocatableCpu,
  'RES-6.1.3': evaluateAllocatableEphemeral,
  'RES-6.1.4': evaluateAllocatablePods,
  'RES-6.3.1': evaluateNoPressure,
  'RES-6.3.2': evaluateNodeMetrics,
};
