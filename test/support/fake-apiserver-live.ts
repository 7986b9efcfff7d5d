// How the fixture API server ends the live checks' probe pods, by scenario: each probe role (label
// nodegate.io/probe) gets the status steps and the output the real pod prints on a healthy node, or on a node
// with one fault (NetworkPolicy not enforced, no pod connectivity, cluster DNS down, memory limits not enforced, Pod
// Security not enforced, the seccomp profile missing, an image that cannot be pulled).
import type { Admission, KubeObject, PodStep, Scenario, StoreView } from './fake-apiserver.ts';
import { healthy, workloadNamespaces } from './fake-apiserver-scenarios.ts';

export interface LiveBehaviour {
  readonly networkPolicyEnforced: boolean;
  readonly podConnectivity: boolean;
  readonly memoryLimitEnforced: boolean;
  readonly podSecurityEnforced: boolean;
  readonly seccompProfileInstalled: boolean;
  /** false: every probe image fails to pull (an air-gapped cluster without the mirror). */
  readonly imagesPullable: boolean;
  /** The nginx-test pod starts; false: nginx exits 1 (cannot bind :80) and, with restartPolicy Never, the pod fails. */
  readonly webStarts: boolean;
  /** Its securityContext is applied; false: it runs as root, no NoNewPrivs, no seccomp, full capabilities. */
  readonly webConfined: boolean;
  /** The seccomp profile denies unshare(2); false: the syscall goes through. */
  readonly seccompDenies: boolean;
  /** The profile also denies fstatfs, which runc 1.1 calls after loading it: the workload never runs (the guide's literal profile). */
  readonly seccompBlocksRuntime?: boolean;
  /** Deleting the policy restores traffic; false: the agent keeps enforcing it. */
  readonly policyRemovedOnDelete: boolean;
  /** The CNI rejects what a policy denies (kube-router) instead of dropping it (Cilium, Calico). */
  readonly policyRejects: boolean;
  /** The bomb is killed with SIGKILL (137) but not by the OOM killer (no OOMKilled reason). */
  readonly bombKilledElsewhere: boolean;
  /** How long each step takes (ms): the scenario's own waits, subtracted in the benchmark. */
  readonly stepMs: number;
  /** Cluster DNS answers (default true); false: CoreDNS scaled to 0, names give busybox's "bad address", addresses still work. */
  readonly dnsWorks?: boolean;
  /** The kubelet puts KUBERNETES_SERVICE_HOST/PORT in the pod's environment (default true: it always does). */
  readonly serviceEnvInjected?: boolean;
}

/** The addresses this fixture cluster allocates: the test Service's ClusterIP and kubernetes.default's (the pods' env). */
export const fixtureServiceIp = '10.96.0.42';
export const fixtureApiServerAddress = '10.96.0.1:443';

export const healthyBehaviour: LiveBehaviour = { networkPolicyEnforced: true, podConnectivity: true, memoryLimitEnforced: true, podSecurityEnforced: true, seccompProfileInstalled: true, imagesPullable: true, webStarts: true, webConfined: true, seccompDenies: true, policyRemovedOnDelete: true, bombKilledElsewhere: false, policyRejects: false, stepMs: 20 };

const at = (): string => '2026-11-30T06:00:00Z';
const cs = (name: string, state: Record<string, unknown>, ready = false): Record<string, unknown> => ({ name, ready, restartCount: 0, image: 'x', imageID: '', state });
const running = (name: string, ready: boolean): Record<string, unknown> => ({ phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [cs(name, { running: { startedAt: at() } }, ready)] });
const ended = (name: string, exitCode: number, reason: string): Record<string, unknown> => ({ phase: exitCode === 0 ? 'Succeeded' : 'Failed', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [cs(name, { terminated: { exitCode, reason, startedAt: at(), finishedAt: at() } })] });
const waiting = (name: string, reason: string, message: string): Record<string, unknown> => ({ phase: 'Pending', containerStatuses: [cs(name, { waiting: { reason, message } })] });

/** What busybox 1.36 and nginx print, so the verdicts parse the same text a real node gives. */
const out = {
  nslookupOk: (name: string) => `Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\t${name}\nAddress: 10.96.0.1\n\n`,
  nslookupTimeout: ';; connection timed out; no servers could be reached\n\n',
  wgetTimeout: 'wget: download timed out\n',
  /** busybox wget against a port a policy REJECTs (kube-router: icmp-port-unreachable). */
  wgetRefused: "wget: can't connect to remote host (10.96.0.42): Connection refused\n",
  wget401: 'wget: server returned error: HTTP/1.1 401 Unauthorized\n',
  webStatus: 'NODEGATE status Uid:\t101\t101\t101\t101\nNODEGATE status NoNewPrivs:\t1\nNODEGATE status Seccomp:\t2\nNODEGATE status CapEff:\t0000000000000000\n',
  /** Root with the runtime's default capability set (0xa80425fb: docker/containerd defaults), unconfined. */
  webStatusUnconfined: 'NODEGATE status Uid:\t0\t0\t0\t0\nNODEGATE status NoNewPrivs:\t0\nNODEGATE status Seccomp:\t0\nNODEGATE status CapEff:\t00000000a80425fb\n',
};

/** A wget target host as the pod's script names it: an address (IPv4, bracketed IPv6, or the env's address) or a name. */
const isAddress = (host: string): boolean => /^(\d+\.){3}\d+$|^\[/.test(host);
const hostOf = (url: string): string => /^https?:\/\/(\[[^\]]+\]|[^/:]+)/.exec(url)?.[1] ?? '';

/**
 * What the client pod prints, from its own script: a request by name needs DNS, one by address only the pod
 * network, as on a node whose CoreDNS is down (the cluster lab's coredns-down prints "bad address" for names).
 */
function clientLog(ns: string, b: LiveBehaviour, script: string): { log: string; exitCode: number } {
  const dns = b.dnsWorks !== false && b.podConnectivity;
  const lines = script.split('\n');
  const httpUrl = /wget [^\n]*?(https?:\/\/\S+)\s/.exec(lines.find((l) => l.includes('NODEGATE http')) ?? '')?.[1] ?? '';
  const apiByEnv = script.includes('$KUBERNETES_SERVICE_HOST') && b.serviceEnvInjected !== false;
  const apiName = 'kubernetes.default.svc.cluster.local';
  /** One request to `host`: a name is resolved first ("bad address" without DNS), then it needs the pod network. */
  const request = (host: string, byAddress: boolean, answered: string): [string, number] =>
    !byAddress && !dns ? [`wget: bad address '${host}'\n`, 1] : !b.podConnectivity ? [out.wgetTimeout, 1] : [answered, 0];
  const resolved = (name: string): [string, number] => (dns ? [out.nslookupOk(name), 0] : [out.nslookupTimeout, 1]);
  const [clusterOut, clusterRc] = resolved(apiName);
  const [shortOut, shortRc] = request('nodegate-web', false, '');
  const [fullOut, fullRc] = resolved(`nodegate-web.${ns}.svc.cluster.local`);
  const [apiOut, apiRc] = request(apiByEnv ? fixtureApiServerAddress : apiName, apiByEnv, out.wget401);
  const [httpOut, httpRc] = request(hostOf(httpUrl), isAddress(hostOf(httpUrl)), '');
  const log = [
    clusterOut,
    `NODEGATE dns-cluster rc=${clusterRc}\n`,
    shortOut,
    `NODEGATE dns-short rc=${shortRc}\n`,
    fullOut,
    `NODEGATE dns-full rc=${fullRc}\n`,
    script.includes('api-addr') ? `NODEGATE api-addr ${apiByEnv ? `env ${fixtureApiServerAddress}` : `name ${apiName}:443`}\n` : '',
    apiOut,
    `NODEGATE api-tls rc=${apiRc}\n`,
    httpOut,
    `NODEGATE http rc=${httpRc}\n`,
  ].join('');
  return { log, exitCode: [clusterRc, shortRc, fullRc, apiRc, httpRc].some((rc) => rc !== 0) ? 1 : 0 };
}

/** The lifecycle for Scenario.podLifecycle: decided when the pod is created, from the store as it is then. */
export function liveLifecycle(b: LiveBehaviour): (pod: KubeObject, store: StoreView) => PodStep[] {
  return (pod, store) => {
    const m = pod.metadata ?? {};
    const role = ((m['labels'] as Record<string, string> | undefined) ?? {})['nodegate.io/probe'] ?? '';
    const ns = String(m['namespace'] ?? '');
    const spec = pod['spec'] as { containers?: { name?: string; command?: string[] }[] } | undefined;
    const c = spec?.containers?.[0]?.name ?? 'probe';
    const script = spec?.containers?.[0]?.command?.[2] ?? '';
    // The policy clients' URL: by name, it needs DNS first.
    const policyHost = hostOf(/https?:\/\/\S+/.exec(script)?.[0] ?? '');
    const unresolved = policyHost !== '' && !isAddress(policyHost) && b.dnsWorks === false;
    const t = b.stepMs;
    if (!b.imagesPullable) {
      const image = String((pod['spec'] as { containers?: { image?: string }[] } | undefined)?.containers?.[0]?.image ?? '');
      return [
        { afterMs: t, status: waiting(c, 'ErrImagePull', `failed to pull and unpack image "${image}"`), event: { type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": dial tcp: lookup registry-1.docker.io: no such host` } },
        { afterMs: t, status: waiting(c, 'ImagePullBackOff', `Back-off pulling image "${image}"`), event: { type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` } },
      ];
    }
    const policy = b.networkPolicyEnforced && store.objects('networkpolicies', ns).length > 0;
    const steps = (log: string, exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error'): PodStep[] => [
      { afterMs: t, status: running(c, false) },
      { afterMs: t, status: ended(c, exitCode, reason), log },
    ];
    switch (role) {
      case 'web':
        if (!b.webStarts) return [{ afterMs: t, status: running(c, false), log: `${out.webStatus}nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)\n` }, { afterMs: t, status: ended(c, 1, 'Error') }];
        if (!b.webConfined) return [{ afterMs: t, status: running(c, false), log: out.webStatusUnconfined }, { afterMs: t, status: running(c, true) }];
        return [{ afterMs: t, status: running(c, false), log: out.webStatus }, { afterMs: t, status: running(c, true), log: '/docker-entrypoint.sh: Configuration complete; ready for start up\n' }];
      case 'client': {
        const r = clientLog(ns, b, script);
        return steps(r.log, r.exitCode);
      }
      case 'blocked':
        if (unresolved) return steps(`wget: bad address '${policyHost}'\nNODEGATE http rc=1\n`, 0);
        return policy ? steps(`${b.policyRejects ? out.wgetRefused : out.wgetTimeout}NODEGATE http rc=1\n`, 0) : steps('NODEGATE http rc=0\n'.repeat(3), 0);
      case 'restored':
        if (unresolved) return steps(`wget: bad address '${policyHost}'\nNODEGATE http rc=1\n`.repeat(5), 0);
        return policy || !b.policyRemovedOnDelete ? steps(`${out.wgetTimeout}NODEGATE http rc=1\n`.repeat(5), 0) : steps('NODEGATE http rc=0\n', 0);
      case 'bomb':
        if (b.bombKilledElsewhere) return [{ afterMs: t, status: running(c, true) }, { afterMs: t, status: ended(c, 137, 'Error') }];
        return b.memoryLimitEnforced
          ? [{ afterMs: t, status: running(c, true), log: 'stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\n' }, { afterMs: t, status: ended(c, 137, 'OOMKilled') }]
          : steps('stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd\nstress: info: [1] successful run completed in 20s\n', 0);
      case 'limits':
        return steps(b.memoryLimitEnforced ? 'NODEGATE memory.max 134217728\nNODEGATE cpu.max 20000 100000\n' : 'NODEGATE memory.max max\nNODEGATE cpu.max max 100000\n', 0);
      case 'seccomp':
        // The control runs under RuntimeDefault: containerd's default profile denies unshare without CAP_SYS_ADMIN.
        if ((pod['spec'] as { securityContext?: { seccompProfile?: { type?: string } } } | undefined)?.securityContext?.seccompProfile?.type !== 'Localhost') {
          return steps('NODEGATE http rc=0\nunshare: unshare(0x10000000): Operation not permitted\nNODEGATE unshare rc=1\n', 0);
        }
        if (b.seccompProfileInstalled && b.seccompBlocksRuntime) return steps('ensure /proc/self/fd is on procfs: operation not permitted\n', 1, 'StartError');
        return b.seccompProfileInstalled
          ? steps(`ok\nNODEGATE http rc=0\n${b.seccompDenies ? 'unshare: unshare(0x10000000): Operation not permitted\nNODEGATE unshare rc=1' : 'NODEGATE unshare rc=0'}\n`, 0)
          : [{ afterMs: t, status: waiting(c, 'CreateContainerError', 'failed to create containerd container: cannot load seccomp profile "/var/lib/kubelet/seccomp/profiles/web-app.json": open /var/lib/kubelet/seccomp/profiles/web-app.json: no such file or directory') }];
      default:
        return [];
    }
  };
}

interface PodShape {
  readonly spec?: {
    readonly volumes?: readonly { readonly name?: string; readonly hostPath?: unknown }[];
    readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly seccompProfile?: { readonly type?: string } };
    readonly containers?: readonly { readonly name?: string; readonly securityContext?: { readonly privileged?: boolean; readonly allowPrivilegeEscalation?: boolean; readonly runAsNonRoot?: boolean; readonly capabilities?: { readonly drop?: readonly string[] }; readonly seccompProfile?: { readonly type?: string } } }[];
  };
}

/**
 * Pod Security as the API server words its refusals (staging/src/k8s.io/pod-security-admission/policy): baseline
 * refuses hostPath and privileged; restricted also wants non-root, no escalation, drop ALL and a seccomp profile.
 * The workload namespaces enforce it when `enforced`; run namespaces (nodegate-*) always enforce restricted,
 * so the probe pods are checked against it too.
 */
export function podSecurity(enforced: boolean): Admission {
  return (resource, ns, object) => {
    if (resource !== 'pods') return undefined;
    const run = ns.startsWith('nodegate-');
    if (!run && !(enforced && workloadNamespaces.includes(ns))) return undefined;
    const p = object as PodShape;
    const problems: string[] = [];
    const hostPaths = (p.spec?.volumes ?? []).filter((v) => v.hostPath !== undefined).map((v) => `"${v.name ?? ''}"`);
    if (hostPaths.length) problems.push(`hostPath volumes (volume ${hostPaths.join(', ')})`);
    const containers = p.spec?.containers ?? [];
    const priv = containers.filter((c) => c.securityContext?.privileged).map((c) => `"${c.name ?? ''}"`);
    if (priv.length) problems.push(`privileged (container ${priv.join(', ')} must not set securityContext.privileged=true)`);
    if (run) {
      if (containers.some((c) => c.securityContext?.allowPrivilegeEscalation !== false)) problems.push('allowPrivilegeEscalation != false');
      if (containers.some((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'))) problems.push('unrestricted capabilities');
      if (!p.spec?.securityContext?.runAsNonRoot && containers.some((c) => !c.securityContext?.runAsNonRoot)) problems.push('runAsNonRoot != true');
      if (!p.spec?.securityContext?.seccompProfile?.type && containers.some((c) => !c.securityContext?.seccompProfile?.type)) problems.push('seccompProfile');
    }
    return problems.length ? `violates PodSecurity "${run ? 'restricted' : 'baseline'}:latest": ${problems.join(', ')}` : undefined;
  };
}

/**
 * Pod Security, and the ClusterIP a created Service gets: the real API server allocates it during the create and
 * returns it in the answer; this fixture has no allocator, so its admission step fills in spec.clusterIP.
 */
function liveAdmission(enforced: boolean): Admission {
  const security = podSecurity(enforced);
  return (resource, ns, object) => {
    if (resource === 'services') {
      const spec = (object['spec'] ??= {}) as Record<string, unknown>;
      spec['clusterIP'] ??= fixtureServiceIp;
    }
    return security(resource, ns, object);
  };
}

/** The healthy cluster with live behaviour; `change` flips one fault. */
export function liveScenario(name: string, change: Partial<LiveBehaviour> = {}, extra: Partial<Scenario> = {}): Scenario {
  const b = { ...healthyBehaviour, ...change };
  return { ...healthy(), name, podLifecycle: liveLifecycle(b), admission: liveAdmission(b.podSecurityEnforced), ...extra };
}
