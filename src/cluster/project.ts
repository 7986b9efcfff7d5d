// Projects client-node's API objects onto the small, secret-free shapes ClusterFacts keeps (no env values, no
// annotations, no managed fields): what the checks read and nothing a snapshot should not carry.
import type { V1Container, V1EphemeralContainer, V1Namespace, V1NetworkPolicy, V1Node, V1Pod, V1SeccompProfile, VersionInfo } from '@kubernetes/client-node';
import type { ContainerStatusSummary, ContainerSummary, NamespaceSummary, NetworkPolicySummary, NodeObject, PodSummary, SeccompRef, ServerVersion } from './types.ts';

const seccomp = (p: V1SeccompProfile | undefined): { seccompProfile?: SeccompRef } =>
  p ? { seccompProfile: { type: p.type, ...(p.localhostProfile !== undefined ? { localhostProfile: p.localhostProfile } : {}) } } : {};

const optBool = <K extends string>(key: K, v: boolean | undefined): Partial<Record<K, boolean>> => (v === undefined ? {} : ({ [key]: v } as Partial<Record<K, boolean>>));

function container(c: V1Container | V1EphemeralContainer, kind: ContainerSummary['kind']): ContainerSummary {
  const sc = c.securityContext;
  return {
    name: c.name,
    kind,
    image: c.image ?? '',
    ...optBool('privileged', sc?.privileged),
    ...optBool('allowPrivilegeEscalation', sc?.allowPrivilegeEscalation),
    ...optBool('readOnlyRootFilesystem', sc?.readOnlyRootFilesystem),
    ...seccomp(sc?.seccompProfile),
  };
}

export function projectPod(p: V1Pod): PodSummary {
  const spec = p.spec;
  const statuses: ContainerStatusSummary[] = (p.status?.containerStatuses ?? []).map((s) => {
    const st = s.state;
    const state: ContainerStatusSummary['state'] = st?.running ? 'running' : st?.waiting ? 'waiting' : st?.terminated ? 'terminated' : 'unknown';
    const reason = st?.waiting?.reason ?? st?.terminated?.reason;
    return { name: s.name, ready: s.ready, restartCount: s.restartCount, state, ...(reason ? { reason } : {}) };
  });
  return {
    namespace: p.metadata?.namespace ?? '',
    name: p.metadata?.name ?? '',
    labels: { ...(p.metadata?.labels ?? {}) },
    ...(spec?.nodeName ? { nodeName: spec.nodeName } : {}),
    phase: p.status?.phase ?? 'Unknown',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    hostPID: spec?.hostPID === true,
    hostIPC: spec?.hostIPC === true,
    hostNetwork: spec?.hostNetwork === true,
    ...seccomp(spec?.securityContext?.seccompProfile),
    hostPathVolumes: (spec?.volumes ?? []).flatMap((v) => (v.hostPath ? [{ name: v.name, path: v.hostPath.path }] : [])),
    containers: [
      ...(spec?.initContainers ?? []).map((c) => container(c, 'init')),
      ...(spec?.containers ?? []).map((c) => container(c, 'container')),
      ...(spec?.ephemeralContainers ?? []).map((c) => container(c, 'ephemeral')),
    ],
    containerStatuses: statuses,
  };
}

/**
 * A condition's lastHeartbeatTime as the API wrote it: client-node hands it over as a Date, and metav1.Time is
 * serialised at whole seconds, so the ".000" toISOString adds is dropped. A time that did not parse is left out
 * (the verdict then says it was not recorded) rather than thrown on or kept as "Invalid Date".
 */
function heartbeat(at: Date | undefined): { lastHeartbeatTime?: string } {
  if (at === undefined || Number.isNaN(at.getTime())) return {};
  return { lastHeartbeatTime: at.toISOString().replace(/\.000Z$/, 'Z') };
}

export function projectNode(n: V1Node): NodeObject {
  return {
    name: n.metadata?.name ?? '',
    labels: { ...(n.metadata?.labels ?? {}) },
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
    conditions: (n.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
      ...heartbeat(c.lastHeartbeatTime),
    })),
    capacity: { ...(n.status?.capacity ?? {}) },
    allocatable: { ...(n.status?.allocatable ?? {}) },
    addresses: (n.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address })),
  };
}

export const projectNamespace = (n: V1Namespace): NamespaceSummary => ({ name: n.metadata?.name ?? '', labels: { ...(n.metadata?.labels ?? {}) } });

export function projectNetworkPolicy(p: V1NetworkPolicy): NetworkPolicySummary {
  const sel = p.spec?.podSelector;
  const selectsAllPods = Object.keys(sel?.matchLabels ?? {}).length === 0 && (sel?.matchExpressions ?? []).length === 0;
  const ingress = p.spec?.ingress ?? [];
  // The API defaults policyTypes to [Ingress] (+ Egress when egress rules exist) when the author left it out.
  const policyTypes = p.spec?.policyTypes && p.spec.policyTypes.length > 0 ? [...p.spec.policyTypes] : ['Ingress', ...((p.spec?.egress ?? []).length > 0 ? ['Egress'] : [])];
  return { namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '', selectsAllPods, policyTypes, ingressRules: ingress.length };
}

export const projectVersion = (v: VersionInfo): ServerVersion => ({ gitVersion: v.gitVersion, major: v.major, minor: v.minor });
