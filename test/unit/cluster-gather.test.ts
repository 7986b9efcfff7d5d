// gatherClusterFacts against the fixture API server: every read once, typed failures for 401/403, retries of
// 429 (honouring Retry-After) and 500, and facts that carry no secrets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { gatherClusterFacts } from '../../src/cluster/gather.ts';
import { loadKubeconfig } from '../../src/cluster/kubeconfig.ts';
import { defaultClusterProfile } from '../../src/profile/cluster.ts';
import type { RetryPolicy } from '../../src/cluster/read.ts';
import type { Read, ReadFailure } from '../../src/cluster/types.ts';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer, type Scenario } from '../support/fake-apiserver.ts';
import { forbiddenPods, healthy, nodeName, rateLimited, serverError } from '../support/fake-apiserver-scenarios.ts';

const dir = mkdtempSync(join(tmpdir(), 'nodegate-gather-'));
const fast: RetryPolicy = { retries: 3, minTimeoutMs: 10, maxTimeoutMs: 50, maxRetryAfterMs: 5_000, maxRetryTimeMs: 10_000 };
let api: FakeApiServer | undefined;

/** The failure of a read that must have failed (a value fails the test). */
function failureOf<T>(r: Read<T>): ReadFailure {
  if (r.ok) throw new Error(`expected a failed read, got ${JSON.stringify(r.value).slice(0, 80)}`);
  return r.failure;
}

async function gather(s: Scenario, token?: string) {
  api = await startFakeApiServer(s);
  const path = writeKubeconfig(join(dir, `${s.name.replace(/\W+/g, '-')}.yaml`), { ...api, token: token ?? api.token });
  const loaded = loadKubeconfig({ kind: 'file', paths: [path], from: '--kubeconfig' });
  return gatherClusterFacts(loaded, nodeName, defaultClusterProfile(), { retry: fast });
}

afterEach(async () => {
  await api?.close();
  api = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gatherClusterFacts', () => {
  test('healthy: every read succeeds once and is projected', async () => {
    const f = await gather(healthy());
    expect(f.version).toMatchObject({ ok: true, value: { minor: '31', gitVersion: 'v1.31.4' }, attempts: 1 });
    if (!f.nodeObject.ok || !f.podsOnNode.ok || !f.systemPods.ok || !f.configz.ok || !f.nodeMetrics.ok || !f.namespaces.ok) throw new Error('a read failed');
    expect(f.nodeObject.value.allocatable['memory']).toBe('14692352Ki');
    expect(f.nodeObject.value.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    // The field selector reached the server: only this node's pods came back.
    expect(f.podsOnNode.value.map((p) => p.name).sort()).toEqual(['cilium-x7k2p', 'coredns-7c65d6cfc9-xk2lp', 'web-6d9f7c-2hxkq']);
    expect(f.systemPods.value.filter((p) => p.labels['k8s-app'] === 'cilium')).toHaveLength(2);
    const cilium = f.podsOnNode.value.find((p) => p.name === 'cilium-x7k2p');
    expect(cilium).toMatchObject({ hostNetwork: true, ready: true, hostPathVolumes: [{ name: 'bpf-maps', path: '/sys/fs/bpf' }, { name: 'cilium-run', path: '/var/run/cilium' }] });
    expect(cilium?.containers[0]).toMatchObject({ kind: 'container', privileged: true });
    expect(f.configz.value['kubeletconfig']).toMatchObject({ readOnlyPort: 0, maxPods: 110 });
    expect(f.nodeMetrics.value).toEqual({ cpu: '152345678n', memory: '2345678Ki', timestamp: '2026-11-30T05:00:00Z' });
    expect(Object.keys(f.networkPolicies).sort()).toEqual(['django-app', 'fastapi-app', 'flask-apps']);
    expect(f.networkPolicies['flask-apps']).toMatchObject({ ok: true, value: [{ name: 'default-deny-ingress', selectsAllPods: true, policyTypes: ['Ingress'], ingressRules: 0 }] });
    expect(f.namespaces.value.find((n) => n.name === 'flask-apps')?.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // Once each: 7 reads + one per workload namespace, no retries.
    expect(api?.requests).toHaveLength(7 + 3);
    // Snapshot-safe: plain JSON, and the pod's env value never left the server.
    const json = JSON.stringify(f);
    expect(JSON.parse(json)).toEqual(f);
    expect(json).not.toContain('not-for-snapshots');
    expect(json).not.toContain(api?.token);
  });

  test('403 on pods: the read fails, naming verb, resource, scope and the RBAC file; other reads are unaffected', async () => {
    const f = await gather(forbiddenPods());
    const failure = failureOf(f.podsOnNode);
    expect(failure.kind).toBe('forbidden');
    expect(failure.status).toBe(403);
    expect(failure.message).toMatch(/^forbidden: list pods \(core\) at cluster scope — grant it with deploy\/rbac\.yaml \(the server said: pods is forbidden: User "system:serviceaccount:nodegate:nodegate" cannot list resource "pods"/);
    expect(f.podsOnNode.attempts).toBe(1);
    expect(f.nodeObject.ok).toBe(true);
    // The fixture forbids "list pods" in every scope, so the kube-system list fails too, naming its namespace.
    expect(failureOf(f.systemPods).message).toMatch(/^forbidden: list pods \(core\) in namespace kube-system — grant it with deploy\/rbac\.yaml/);
  });

  test('429 with Retry-After: 1 is retried after at least a second, then succeeds', async () => {
    const t0 = Date.now();
    const f = await gather(rateLimited());
    expect(f.podsOnNode).toMatchObject({ ok: true, attempts: 2 });
    const hits = api?.requests.filter((r) => r.path === '/api/v1/pods') ?? [];
    expect(hits.map((r) => r.status)).toEqual([429, 200]);
    expect((hits[1]?.at ?? 0) - (hits[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  test('500 twice, then success: retried with backoff, recorded attempts', async () => {
    const f = await gather(serverError());
    expect(f.nodeObject).toMatchObject({ ok: true, attempts: 3 });
    expect(api?.requests.filter((r) => r.path === `/api/v1/nodes/${nodeName}`).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  test('500 beyond the retry budget: a transient failure with the status, never a value', async () => {
    const f = await gather({ ...serverError(), name: 'persistent 500', faults: [{ path: /^\/api\/v1\/nodes\/worker-01$/, status: 500, times: 99 }] });
    const failure = failureOf(f.nodeObject);
    expect(failure).toMatchObject({ kind: 'transient', status: 500 });
    expect(failure.message).toContain('get nodes (core) worker-01 at cluster scope kept failing with HTTP 500 after retries');
    expect(f.nodeObject.attempts).toBe(fast.retries + 1);
  });

  test('a connection reset is transient: retried, then the read succeeds', async () => {
    const f = await gather({ ...healthy(), name: 'reset', faults: [{ path: /^\/version$/, status: 0, times: 1, reset: true }] });
    expect(f.version).toMatchObject({ ok: true, attempts: 2 });
  });

  test('a server that never answers: each attempt times out, the read fails as unreachable, the run goes on', async () => {
    const t0 = Date.now();
    api = await startFakeApiServer({ ...healthy(), name: 'hang', faults: [{ path: /^\/version$/, status: 0, times: 99, hang: true }] });
    const path = writeKubeconfig(join(dir, 'hang.yaml'), api);
    const loaded = loadKubeconfig({ kind: 'file', paths: [path], from: '--kubeconfig' });
    const f = await gatherClusterFacts(loaded, nodeName, defaultClusterProfile(), { retry: { ...fast, retries: 1, attemptTimeoutMs: 300 } });
    const failure = failureOf(f.version);
    expect(failure.kind).toBe('unreachable');
    expect(failure.message).toBe('get /version (non-resource URL): the API server could not be reached (ETIMEDOUT: no answer within 300ms)');
    expect(f.version.attempts).toBe(2);
    expect(f.nodeObject.ok).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  test('a wrong token: every read is unauthorized, none retried', async () => {
    const f = await gather(healthy(), 'wrong-token');
    for (const r of [f.version, f.nodeObject, f.podsOnNode, f.namespaces, f.systemPods, f.configz, f.nodeMetrics]) {
      expect(r).toMatchObject({ ok: false, attempts: 1, failure: { kind: 'unauthorized', status: 401 } });
    }
  });

  test('a server that is gone: unreachable, with the socket error', async () => {
    const s = await startFakeApiServer(healthy());
    const path = writeKubeconfig(join(dir, 'gone.yaml'), s);
    await s.close();
    const loaded = loadKubeconfig({ kind: 'file', paths: [path], from: '--kubeconfig' });
    const f = await gatherClusterFacts(loaded, nodeName, defaultClusterProfile(), { retry: { ...fast, retries: 1 } });
    const failure = failureOf(f.version);
    expect(failure.kind).toBe('unreachable');
    expect(failure.message).toMatch(/^get \/version \(non-resource URL\): the API server could not be reached \(ECONNREFUSED/);
  });

  test('metrics-server absent: the metrics read is not-found, the rest succeed', async () => {
    const { nodeMetrics: _gone, ...rest } = healthy();
    const f = await gather({ ...rest, name: 'no metrics-server' });
    expect(f.nodeMetrics).toMatchObject({ ok: false, failure: { kind: 'not-found', status: 404 } });
    expect(f.nodeObject.ok).toBe(true);
  });
});
