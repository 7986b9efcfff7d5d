// The remaining fail cases of issue 8 on the real cluster lab: a workload namespace without default deny, a writable
// root filesystem, maxPods lowered, no CPU/ephemeral reservations, a kubelet without its client CA and a Node under
// memory pressure, each applied by a labs/cluster/scenarios script and judged by the real nodegate CLI.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { requireLab } from '../support/lab-tier.ts';
import { allPass, labSession, scenarioFileHooks, statusesOf, verdictOf } from './lab-audit.ts';
import './lab-context.ts';

const provided = inject('clusterLab');
const availability = requireLab('cluster lab', provided.ok ? { ok: true } : { ok: false, reason: provided.reason });

describe.skipIf(!availability.ok)(`more scenarios on the real cluster lab${provided.ok ? '' : ` (skipped: ${provided.reason})`}`, () => {
  const lab = provided.ok ? provided : undefined;
  const node = lab?.up.node ?? '';
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let networking: NetworkingV1Api;
  let dir: string;

  const { scenario, audit } = labSession(provided, () => dir, { scenarioMs: 240_000, auditMs: 180_000 });
  const verdict = verdictOf;
  const statuses = statusesOf;

  async function readNode() {
    const n = await core.readNode({ name: node });
    const condition = (type: string) => n.status?.conditions?.find((c) => c.type === type)?.status;
    return { capacity: n.status?.capacity ?? {}, allocatable: n.status?.allocatable ?? {}, memoryPressure: condition('MemoryPressure'), ready: condition('Ready') };
  }

  beforeAll(async () => {
    if (!lab) throw new Error('unreachable: the describe is skipped without the lab');
    dir = await mkdtemp(join(tmpdir(), 'ng-more-scenarios-'));
    const kc = new KubeConfig();
    kc.loadFromFile(lab.up.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    networking = kc.makeApiClient(NetworkingV1Api);
    await scenario('healthy');
  }, 300_000);
  scenarioFileHooks('more scenarios', lab?.dir, () => dir, 300_000);

  test('default-deny-missing and run-mount: NET-5.4.3 fails naming django-app, SEC-4.3.7 lists run-mounter; healthy restores both', async () => {
    const ids = ['NET-5.4.3', 'SEC-4.3.7'];
    expect(await scenario('default-deny-missing')).toContain('django-app has no default-deny-ingress NetworkPolicy');
    expect((await networking.listNamespacedNetworkPolicy({ namespace: 'django-app' })).items).toEqual([]);
    // run-mount.sh's pod sets no securityContext at all: its root filesystem is writable.
    expect(await scenario('run-mount')).toContain('flask-apps/run-mounter mounts');
    const r = await audit('default-deny-missing', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'NET-5.4.3': 'fail', 'SEC-4.3.7': 'fail' });
    const deny = verdict(r, 'NET-5.4.3');
    expect(deny.message).toContain('django-app has no default-deny ingress policy');
    expect(deny.actual).toBe('flask-apps: default-deny-ingress; django-app: no policies; fastapi-app: default-deny-ingress');
    expect(deny.source).toBe('GET networkpolicies in flask-apps, django-app, fastapi-app');
    const ro = verdict(r, 'SEC-4.3.7');
    expect(ro.message).toContain('flask-apps/run-mounter:sh can write their root filesystem');
    expect(ro.actual).toBe('1 of 1 containers writable: flask-apps/run-mounter:sh');
    expect(ro.source).toBe(`pods on ${node} in the workload namespaces`);

    await scenario('healthy');
    const back = await audit('default-deny-restored', ids);
    expect(statuses(back, ids)).toEqual(allPass(ids));
    expect(verdict(back, 'NET-5.4.3').actual).toBe('flask-apps: default-deny-ingress; django-app: default-deny-ingress; fastapi-app: default-deny-ingress');
  }, 300_000);

  test('max-pods: maxPods 50, restarted; the real allocatable.pods is 50 and RES-6.1.4 fails; healthy restores 110', async () => {
    const ids = ['RES-6.1.4'];
    expect(await scenario('max-pods')).toContain('kubelet restarted with maxPods 50');
    expect((await readNode()).allocatable['pods']).toBe('50');
    const r = await audit('max-pods', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'RES-6.1.4': 'fail' });
    const pods = verdict(r, 'RES-6.1.4');
    expect(pods.message).toContain("the kubelet's maxPods is 50, the profile's 110 (KUBELET-3.4.5)");
    expect(pods.actual).toBe('maxPods 50; the API reports 50');
    expect(pods.source).toBe(`kubelet settings from configz; Node ${node} status.allocatable.pods`);

    await scenario('healthy');
    expect((await readNode()).allocatable['pods']).toBe('110');
    const back = await audit('max-pods-restored', ids);
    expect(statuses(back, ids)).toEqual(allPass(ids));
  }, 300_000);

  test('reservations-removed: RES-6.1.2 (cpu) and RES-6.1.3 (ephemeral storage) fail with the arithmetic the real allocatable agrees with; healthy restores it', async () => {
    const ids = ['RES-6.1.2', 'RES-6.1.3'];
    expect(await scenario('reservations-removed')).toContain('the kubelet runs without systemReserved and kubeReserved');
    const removed = await readNode();
    const cpu = removed.capacity['cpu'] ?? '';
    const storage = removed.capacity['ephemeral-storage'] ?? '';
    // With no reservations the kubelet hands out every CPU.
    expect(removed.allocatable['cpu']).toBe(cpu);
    const r = await audit('reservations-removed-cpu', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'RES-6.1.2': 'fail', 'RES-6.1.3': 'fail' });
    const c = verdict(r, 'RES-6.1.2');
    expect(c.message).toContain(`${cpu} − 0 − 0 = ${cpu}. With the profile's reservations it would be ${cpu} − 500m − 200m = `);
    expect(c.message).toContain('the kubelet reserves less than documented (see KUBELET-3.4.1–3.4.3)');
    expect(c.actual).toBe(`${cpu} − 0 − 0 = ${cpu}; the API reports ${removed.allocatable['cpu'] ?? ''}`);
    const e = verdict(r, 'RES-6.1.3');
    expect(e.message).toContain(`${storage} − 0 − 0 − 10% (`);
    expect(e.message).toContain(`With the profile's reservations it would be ${storage} − 1Gi − 1Gi − 10% (`);
    expect(e.actual).toContain(`the API reports ${removed.allocatable['ephemeral-storage'] ?? ''}`);
    expect(e.source).toBe(`Node ${node} status.capacity.ephemeral-storage (${storage}); kubelet settings from configz`);

    await scenario('healthy');
    const back = await audit('reservations-restored-cpu', ids);
    expect(statuses(back, ids)).toEqual(allPass(ids));
  }, 300_000);

  test('kubelet-no-client-ca: the kubelet without authentication.x509.clientCAFile, restarted; the API server gets 401 on pods/log and KUBELET-3.5.4 fails; healthy restores it', async () => {
    const ids = ['KUBELET-3.5.4'];
    expect(await scenario('kubelet-no-client-ca')).toContain('kubelet restarted without authentication.x509.clientCAFile');
    // Only KUBELET-3.5.4's live step runs: its probe pod's log read through the API server, which presents its
    // kubelet client certificate, now one the kubelet cannot verify.
    const r = await audit('kubelet-no-client-ca', ids, ['--live']);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'KUBELET-3.5.4': 'fail' });
    const logs = verdict(r, 'KUBELET-3.5.4');
    expect(logs.actual).toBe('HTTP 401');
    expect(logs.message).toContain('The API server could not read the log from the kubelet');
    expect(logs.message).toContain('A 401/403 here means the kubelet lost its client CA or webhook settings (KUBELET-3.3.6, 3.3.17)');
    expect(logs.source).toMatch(/^get pods\/log in nodegate-\S+$/);

    await scenario('healthy');
    const back = await audit('kubelet-client-ca-restored', ids, ['--live']);
    expect(statuses(back, ids)).toEqual(allPass(ids));
  }, 300_000);

  test('memory-pressure: evictionHard memory.available above what the host has, restarted; the Node reports MemoryPressure and RES-6.3.1 fails; healthy brings the kubelet and CoreDNS back', async () => {
    const ids = ['RES-6.3.1'];
    expect(await scenario('memory-pressure')).toMatch(/^memory-pressure: evictionHard memory\.available \d+Mi \(MemAvailable \d+Mi, MemTotal \d+Mi\); Node MemoryPressure=True$/m);
    expect((await readNode()).memoryPressure).toBe('True');
    const r = await audit('memory-pressure', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'RES-6.3.1': 'fail' });
    const pressure = verdict(r, 'RES-6.3.1');
    // The condition's reason and message are the kubelet's own (pkg/kubelet/nodestatus/setters.go MemoryPressureCondition).
    expect(pressure.message).toContain('MemoryPressure=True (KubeletHasInsufficientMemory: kubelet has insufficient memory available)');
    expect(pressure.actual).toBe('MemoryPressure=True, DiskPressure=False, PIDPressure=False');
    expect(pressure.source).toBe('Node status.conditions');

    await scenario('healthy');
    const healthy = await readNode();
    expect({ memoryPressure: healthy.memoryPressure, ready: healthy.ready }).toEqual({ memoryPressure: 'False', ready: 'True' });
    // Whatever the eviction manager evicted, CoreDNS is back: every replica of its Deployment ready.
    const coredns = await apps.readNamespacedDeployment({ name: 'coredns', namespace: 'kube-system' });
    expect(coredns.status?.readyReplicas).toBe(coredns.spec?.replicas);
    const back = await audit('memory-pressure-restored', ids);
    expect(statuses(back, ids)).toEqual(allPass(ids));
  }, 400_000);
});
