// runLiveChecks through client-node against the fixture API server: every live check's pass, fail and error case,
// decided by the scenario (how the server ends each probe pod), and nothing left in the server's store afterwards.
import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { InterruptedError } from '../../src/cluster/live/cleanup.ts';
import { runLiveChecks, liveCheckIds, type LiveCheckId, type LiveCheckOptions, type LiveReport } from '../../src/evaluate/live/index.ts';
import type { VerdictStatus } from '../../src/evaluate/verdict.ts';
import type { FakeApiServer, Scenario } from '../support/fake-apiserver.ts';
import { hardenedKubelet, type FakeKubelet, type KubeletBehaviour } from '../support/fake-apiserver-kubelet.ts';
import { liveScenario } from '../support/fake-apiserver-live.ts';
import { cond2, healthy, node, nodeName, workloadNamespaces } from '../support/fake-apiserver-scenarios.ts';
import { liveTestOptions, useFakeCluster } from '../support/fake-live.ts';

const startCluster = useFakeCluster('nodegate-live-checks-');

async function live(s: Scenario | ((k: FakeKubelet) => Scenario), over: Partial<LiveCheckOptions> = {}, kb: KubeletBehaviour = hardenedKubelet): Promise<{ report: LiveReport; api: FakeApiServer; kubelet: FakeKubelet | undefined; ms: number }> {
  const { api, kubelet, kc } = await startCluster(s, kb);
  const t0 = performance.now();
  const report = await runLiveChecks(kc, { ...liveTestOptions, kubeletUrl: kubelet?.url, signals: new EventEmitter(), ...over });
  return { report, api, kubelet, ms: performance.now() - t0 };
}

const leftovers = (a: FakeApiServer): string[] => [
  ...a.objects('namespaces').filter((n) => String(n.metadata?.['name']).startsWith('nodegate-')).map((n) => `namespace ${String(n.metadata?.['name'])}`),
  ...['pods', 'services', 'networkpolicies', 'serviceaccounts'].flatMap((r) => a.objects(r).filter((o) => String(o.metadata?.['namespace']).startsWith('nodegate-')).map((o) => `${r} ${String(o.metadata?.['name'])}`)),
];

const statuses = (r: LiveReport, ids: readonly LiveCheckId[]): Record<string, VerdictStatus> => Object.fromEntries(ids.map((id) => [id, r.verdicts[id].status]));

describe('healthy cluster', () => {
  test('every live check passes, and the run leaves nothing behind', async () => {
    const { report, api: a, ms } = await live(liveScenario('healthy'));
    const bad = liveCheckIds.filter((id) => report.verdicts[id].status !== 'pass').map((id) => `${id}: ${report.verdicts[id].status} ${report.verdicts[id].message}`);
    expect(bad).toEqual([]);
    expect(report.verdicts['SEC-4.3.2'].actual).toBe('Uid 101 101 101 101, NoNewPrivs 1, Seccomp 2, CapEff 0000000000000000');
    expect(report.verdicts['RES-6.2.1'].actual).toBe('phase Failed, probe terminated (OOMKilled) exit 137');
    expect(report.verdicts['RES-6.2.3'].actual).toBe('memory.max 134217728, cpu.max "20000 100000"');
    expect(report.cleanupFailures).toEqual([]);
    expect(leftovers(a)).toEqual([]);
    // Probe pods are pinned to the node and passed the run namespace's restricted Pod Security (the fixture's admission).
    const podPosts = a.requests.filter((r) => r.method === 'POST' && /\/namespaces\/nodegate-[^/]+\/pods$/.test(r.path));
    expect(podPosts.map((r) => r.status)).toEqual(podPosts.map(() => 201));
    expect(podPosts.length).toBe(8); // web, client, blocked, restored, memory-bomb, limits, seccomp and its control
    console.info(`live checks on the fixture server: ${liveCheckIds.length} verdicts in ${ms.toFixed(0)} ms`);
  });
});

describe('one fault at a time', () => {
  test('NetworkPolicy not enforced: NET-5.4.1 fails (the request still answers), NET-5.4.2 is an error', async () => {
    const { report, api: a } = await live(liveScenario('policy not enforced', { networkPolicyEnforced: false }));
    expect(statuses(report, ['NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2'])).toEqual({ 'NET-5.3.2': 'pass', 'NET-5.4.1': 'fail', 'NET-5.4.2': 'error' });
    expect(report.verdicts['NET-5.4.1'].message).toMatch(/does not enforce NetworkPolicy/);
    expect(report.verdicts['NET-5.4.1'].actual).toBe('3 attempt(s), last answered 200');
    expect(leftovers(a)).toEqual([]);
  });

  test('no pod connectivity: NET-5.3.2 fails, NET-5.4.1 is an error (never a pass), DNS fails', async () => {
    const { report } = await live(liveScenario('no connectivity', { podConnectivity: false }));
    expect(statuses(report, ['NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2'])).toEqual({ 'NET-5.2.1': 'fail', 'NET-5.2.2': 'fail', 'NET-5.3.1': 'fail', 'NET-5.3.2': 'fail', 'NET-5.4.1': 'error', 'NET-5.4.2': 'error' });
    expect(report.verdicts['NET-5.4.1'].message).toMatch(/^The positive control NET-5.3.2 did not pass \(fail\)/);
    expect(report.verdicts['NET-5.3.2'].message).toMatch(/wget: download timed out/);
  });

  test('memory limit not enforced: RES-6.2.1 and RES-6.2.3 fail, the node itself stays healthy', async () => {
    const { report } = await live(liveScenario('memory not enforced', { memoryLimitEnforced: false }));
    expect(statuses(report, ['RES-6.2.1', 'RES-6.2.2', 'RES-6.2.3'])).toEqual({ 'RES-6.2.1': 'fail', 'RES-6.2.2': 'pass', 'RES-6.2.3': 'fail' });
    expect(report.verdicts['RES-6.2.1'].message).toMatch(/memory limits are not enforced/);
    expect(report.verdicts['RES-6.2.3'].actual).toBe('memory.max max, cpu.max "max 100000"');
  });

  test('a CNI that rejects instead of dropping (kube-router): the refused request is blocked, NET-5.4.1 passes', async () => {
    // kube-router's pod firewall chains end in `-j REJECT --reject-with icmp-port-unreachable` (pkg/controllers/netpol),
    // seen with iptables-save on the cluster lab's worker: busybox wget then says "Connection refused" at once.
    const { report } = await live(liveScenario('rejecting CNI', { policyRejects: true }));
    expect(statuses(report, ['NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2'])).toEqual({ 'NET-5.3.2': 'pass', 'NET-5.4.1': 'pass', 'NET-5.4.2': 'pass' });
    expect(report.verdicts['NET-5.4.1'].actual).toBe('1 attempt(s), last rejected (Connection refused)');
  });

  test('the policy keeps blocking after its deletion: NET-5.4.2 fails after its five attempts', async () => {
    const { report } = await live(liveScenario('stale policy', { policyRemovedOnDelete: false }));
    expect(statuses(report, ['NET-5.4.1', 'NET-5.4.2'])).toEqual({ 'NET-5.4.1': 'pass', 'NET-5.4.2': 'fail' });
    expect(report.verdicts['NET-5.4.2']).toMatchObject({ actual: '5 attempt(s), last failed (exit 1)' });
    expect(report.verdicts['NET-5.4.2'].message).toMatch(/the agent did not resync/);
  });

  test('the bomb killed with 137 but not by the OOM killer: RES-6.2.1 is an error, not a pass', async () => {
    const { report } = await live(liveScenario('killed', { bombKilledElsewhere: true }));
    expect(report.verdicts['RES-6.2.1']).toMatchObject({ status: 'error', actual: 'phase Failed, probe terminated (Error) exit 137' });
  });

  test('nginx exits at start: SEC-4.3.1 fails with the diagnosis, SEC-4.3.2 and NET-5.3.2 are errors', async () => {
    const { report } = await live(liveScenario('crash', { webStarts: false }));
    expect(statuses(report, ['SEC-4.3.1', 'SEC-4.3.2', 'NET-5.3.2', 'NET-5.4.1'])).toEqual({ 'SEC-4.3.1': 'fail', 'SEC-4.3.2': 'error', 'NET-5.3.2': 'error', 'NET-5.4.1': 'error' });
    expect(report.verdicts['SEC-4.3.1'].message).toMatch(/^pod nodegate-[^/]+\/web did not become Ready: phase Failed, nginx terminated \(Error\) exit 1\nlast log lines: .*bind\(\) to 0\.0\.0\.0:80 failed \(13: Permission denied\)$/);
  });

  test('the securityContext not applied: SEC-4.3.2 fails naming each field', async () => {
    const { report } = await live(liveScenario('unconfined', { webConfined: false }));
    expect(report.verdicts['SEC-4.3.1'].status).toBe('pass');
    expect(report.verdicts['SEC-4.3.2']).toMatchObject({ status: 'fail', actual: 'Uid 0 0 0 0, NoNewPrivs 0, Seccomp 0, CapEff 00000000a80425fb' });
    expect(report.verdicts['SEC-4.3.2'].message).toBe(
      "The pod's confinement is not what its securityContext asks: runs as uid 0/0/0/0, not 101; no_new_privs is not set (allowPrivilegeEscalation: false not applied); seccomp mode 0, not 2 (filter): RuntimeDefault was not applied; effective capabilities 0x00000000a80425fb exceed NET_BIND_SERVICE (0x400).",
    );
  });

  test('the profile lets unshare(2) through: SEC-4.2.5 fails', async () => {
    const { report } = await live(liveScenario('permissive profile', { seccompDenies: false }));
    expect(report.verdicts['SEC-4.2.5']).toMatchObject({ status: 'fail', actual: 'HTTP answered; unshare succeeded' });
  });

  test('a profile that denies what the runtime needs (the guide\'s literal one, no fstatfs): SEC-4.2.5 fails, its control answered', async () => {
    const { report } = await live(liveScenario('runtime blocked', { seccompBlocksRuntime: true }));
    expect(report.verdicts['SEC-4.2.5']).toMatchObject({ status: 'fail', actual: 'did not run its command' });
    expect(report.verdicts['SEC-4.2.5'].message).toMatch(/^The workload did not run under the profile, while the control without it did: .*ensure \/proc\/self\/fd is on procfs: operation not permitted/s);
  });

  test('images cannot be pulled: SEC-4.2.5\'s control fails first, an error naming the override', async () => {
    const { report } = await live(liveScenario('air-gapped control', { imagesPullable: false }));
    expect(report.verdicts['SEC-4.2.5']).toMatchObject({ status: 'error', actual: 'control did not answer' });
    expect(report.verdicts['SEC-4.2.5'].message).toMatch(/^The control pod \(same image and script, RuntimeDefault\) did not serve and fetch HTTP.*set cluster\.images\.shell/s);
  });

  test('memory pressure after the bomb: RES-6.2.2 fails', async () => {
    const s = liveScenario('pressure', {}, { objects: { ...healthy().objects, nodes: [node({ conditions: [cond2('MemoryPressure', 'True', 'KubeletHasInsufficientMemory'), cond2('Ready', 'True', 'KubeletReady')] })] } });
    const { report } = await live(s);
    expect(report.verdicts['RES-6.2.2']).toMatchObject({ status: 'fail', actual: 'Ready True (KubeletReady), MemoryPressure True (KubeletHasInsufficientMemory)' });
  });

  test('Pod Security not enforced: SEC-4.3.4 and SEC-4.3.5 fail naming the namespaces', async () => {
    const { report } = await live(liveScenario('psa off', { podSecurityEnforced: false }));
    expect(statuses(report, ['SEC-4.3.4', 'SEC-4.3.5'])).toEqual({ 'SEC-4.3.4': 'fail', 'SEC-4.3.5': 'fail' });
    expect(report.verdicts['SEC-4.3.4'].message).toBe('Admission let a hostPath pod into flask-apps, django-app, fastapi-app: enforce Pod Security baseline or restricted there (SEC-4.3.3).');
  });

  test('a workload namespace that does not exist: SEC-4.3.4/4.3.5 are errors, not passes', async () => {
    const { report } = await live(liveScenario('missing ns'), { workloadNamespaces: ['flask-apps', 'gone-app'] });
    expect(statuses(report, ['SEC-4.3.4', 'SEC-4.3.5'])).toEqual({ 'SEC-4.3.4': 'error', 'SEC-4.3.5': 'error' });
    expect(report.verdicts['SEC-4.3.4'].message).toMatch(/gone-app: .*namespaces "gone-app" not found/);
  });

  test('an RBAC 403 on the dry-run create is an error, never a rejection', async () => {
    // RBAC refusing the create in the workload namespaces only (the run namespace's probe pods still go in).
    const { report: r2 } = await live(liveScenario('rbac 403', {}, { admission: (res, ns) => (res === 'pods' && workloadNamespaces.includes(ns) ? 'User "system:serviceaccount:nodegate:nodegate" cannot create resource "pods" in API group "" in the namespace' : undefined) }));
    expect(r2.verdicts['SEC-4.3.4'].status).toBe('error');
    expect(r2.verdicts['SEC-4.3.4'].message).toMatch(/grant it with deploy\/rbac\.yaml/);
  });

  test('seccomp profile missing: SEC-4.2.5 fails with the waiting reason as diagnosis', async () => {
    const { report } = await live(liveScenario('no profile', { seccompProfileInstalled: false }));
    expect(report.verdicts['SEC-4.2.5'].status).toBe('fail');
    expect(report.verdicts['SEC-4.2.5'].message).toMatch(/waiting: CreateContainerError — failed to create containerd container: cannot load seccomp profile/);
  });

  test('images cannot be pulled: the pod checks are errors naming the override, not failures of the node', async () => {
    const { report, api: a } = await live(liveScenario('air-gapped', { imagesPullable: false }));
    const podChecks = ['NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2', 'NET-5.4.1', 'RES-6.2.1', 'RES-6.2.2', 'RES-6.2.3', 'SEC-4.2.5', 'SEC-4.3.1', 'SEC-4.3.2', 'KUBELET-3.5.4'] as const;
    expect(Object.values(statuses(report, podChecks))).toEqual(podChecks.map(() => 'error'));
    expect(report.verdicts['SEC-4.3.1'].message).toMatch(/ImagePull.*set cluster\.images\.web/s);
    // The diagnosis a person looks for: the kubelet's events about the pod, as `kubectl describe` lists them.
    expect(report.verdicts['RES-6.2.1'].message).toMatch(/\nevents: Failed: Failed to pull image "polinux\/stress:1\.0\.4": dial tcp: lookup registry-1\.docker\.io: no such host/);
    expect(leftovers(a)).toEqual([]);
  });

  test('KUBELET-3.5.4: the kubelet refusing the API server fails; an RBAC 403 on pods/log is an error', async () => {
    const { report } = await live(liveScenario('kubelet refuses', {}, { podLogFault: { status: 500, message: 'Get "https://10.0.0.20:10250/containerLogs/x/web/nginx": remote error: tls: bad certificate' } }));
    expect(report.verdicts['KUBELET-3.5.4']).toMatchObject({ status: 'fail', actual: 'HTTP 500' });
    expect(report.verdicts['KUBELET-3.5.4'].message).toMatch(/tls: bad certificate/);
    const { report: r2 } = await live(liveScenario('no pods/log', {}, { forbidden: ['get pods/log'] }));
    expect(r2.verdicts['KUBELET-3.5.4'].status).toBe('error');
    expect(r2.verdicts['KUBELET-3.5.4'].message).toMatch(/cannot get resource "pods\/log".*nodegate-live/);
  });

  test('KUBELET-3.5.2/3.5.3 through the run: a permissive kubelet fails both; the token came from a TokenRequest', async () => {
    const { report, api: a, kubelet } = await live(liveScenario('permissive kubelet'), {}, { anonymous: true, webhookAuthn: true, authz: 'AlwaysAllow' });
    expect(statuses(report, ['KUBELET-3.5.2', 'KUBELET-3.5.3'])).toEqual({ 'KUBELET-3.5.2': 'fail', 'KUBELET-3.5.3': 'fail' });
    expect(a.requests.some((r) => r.method === 'POST' && /\/serviceaccounts\/nodegate-no-rbac\/token$/.test(r.path) && r.status === 201)).toBe(true);
    expect(kubelet?.authorizations).toContain(`Bearer sa-token.${report.namespace}.nodegate-no-rbac`);
  });

  /** The Node with its InternalIP and kubelet port set (loopback: the tests send nothing off this machine). */
  const nodeAt = (address: string | undefined, port: number): Scenario['objects'] => {
    const n = node();
    const status = n['status'] as Record<string, unknown>;
    status['addresses'] = address ? [{ type: 'InternalIP', address }, { type: 'Hostname', address: nodeName }] : [{ type: 'Hostname', address: nodeName }];
    status['daemonEndpoints'] = { kubeletEndpoint: { Port: port } };
    return { ...healthy().objects, nodes: [n] };
  };

  test('the kubelet URL comes from the Node: InternalIP and daemonEndpoints.kubeletEndpoint.Port', async () => {
    const { report, kubelet } = await live((k) => liveScenario('from node', {}, { objects: nodeAt('127.0.0.1', Number(new URL(k.url).port)) }), { kubeletUrl: undefined });
    expect(report.verdicts['KUBELET-3.5.2'].source).toBe(`runner: GET ${kubelet?.url ?? ''}/pods with no credentials`);
    expect(statuses(report, ['KUBELET-3.5.2', 'KUBELET-3.5.3'])).toEqual({ 'KUBELET-3.5.2': 'pass', 'KUBELET-3.5.3': 'pass' });
  });

  test('a Node without an InternalIP: KUBELET-3.5.2/3.5.3 are errors saying so', async () => {
    const { report } = await live(liveScenario('no address', {}, { objects: nodeAt(undefined, 10250) }), { kubeletUrl: undefined });
    expect(statuses(report, ['KUBELET-3.5.2', 'KUBELET-3.5.3'])).toEqual({ 'KUBELET-3.5.2': 'error', 'KUBELET-3.5.3': 'error' });
    expect(report.verdicts['KUBELET-3.5.2'].message).toBe('Node worker-01 reports no InternalIP: nowhere to send the kubelet API request.');
  });

  test('the run namespace cannot be created: every live check is an error saying so', async () => {
    const { report } = await live(liveScenario('no namespaces', {}, { forbidden: ['create namespaces'] }));
    expect(Object.values(statuses(report, liveCheckIds))).toEqual(liveCheckIds.map(() => 'error'));
    expect(report.verdicts['NET-5.3.2'].message).toMatch(/^The live run could not start: create namespaces nodegate-.*: HTTP 403: /);
  });
});

describe('interrupted by SIGINT in each phase of the checks: nothing is left in the store', () => {
  const phases: readonly { name: string; when: RegExp }[] = [
    { name: 'server pod and Service created', when: /^POST \/api\/v1\/namespaces\/nodegate-[^/]+\/services$/ },
    { name: 'first probe pod created', when: /^POST \/api\/v1\/namespaces\/nodegate-[^/]+\/pods$/ },
    { name: 'deny-all policy created', when: /^POST \/apis\/networking\.k8s\.io\/v1\/namespaces\/nodegate-[^/]+\/networkpolicies$/ },
    { name: 'policy deleted', when: /^DELETE \/apis\/networking\.k8s\.io\/v1\/namespaces\/nodegate-[^/]+\/networkpolicies\// },
    { name: 'ServiceAccount token requested', when: /^POST \/api\/v1\/namespaces\/nodegate-[^/]+\/serviceaccounts\/[^/]+\/token$/ },
  ];
  for (const phase of phases) {
    test(phase.name, async () => {
      const { api, kubelet, kc } = await startCluster(liveScenario(`interrupt: ${phase.name}`, { stepMs: 60 }));
      const signals = new EventEmitter();
      let exitCode: number | undefined;
      let exitWaiter: (code: number) => void = () => undefined;
      const exited = new Promise<number>((resolve) => {
        const a = api;
        const t = setInterval(() => {
          if (a?.requests.some((r) => phase.when.test(`${r.method} ${r.path}`))) {
            clearInterval(t);
            signals.emit('SIGINT');
          }
        }, 2);
        exitWaiter = (code) => {
          clearInterval(t);
          exitCode = code;
          resolve(code);
        };
      });
      const result = runLiveChecks(kc, { ...liveTestOptions, kubeletUrl: kubelet?.url, signals, exit: (c) => exitWaiter(c), timeouts: { podMs: 10_000, readyMs: 10_000 } }).then(
        () => 'finished',
        (err: unknown) => err,
      );
      expect(await exited).toBe(130);
      const outcome = await result;
      expect(outcome).toBeInstanceOf(InterruptedError);
      expect(exitCode).toBe(130);
      expect(leftovers(api)).toEqual([]);
    });
  }
});
