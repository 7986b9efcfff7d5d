// The fixture API server speaks the wire format client-node expects: creates, deletes, watches from a
// resourceVersion (and 410 for an expired one), server-side dry-run, Status errors with the real shape, and
// namespace deletion taking its objects with it (what the live harness's cleanup assertions rely on).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer } from '../support/fake-apiserver.ts';
import { healthy } from '../support/fake-apiserver-scenarios.ts';

const dir = mkdtempSync(join(tmpdir(), 'nodegate-fake-'));
let api: FakeApiServer;
let kc: KubeConfig;
let core: CoreV1Api;

const privileged = (name: string): V1Pod => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] } });

beforeAll(async () => {
  api = await startFakeApiServer({
    ...healthy(),
    // Pod Security "restricted" as the admission plugin words a rejection.
    admission: (resource, ns, obj) => {
      const spec = (obj['spec'] ?? {}) as { containers?: { securityContext?: { privileged?: boolean } }[] };
      if (resource === 'pods' && ns === 'flask-apps' && spec.containers?.some((c) => c.securityContext?.privileged)) return 'violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)';
      return undefined;
    },
  });
  kc = new KubeConfig();
  kc.loadFromFile(writeKubeconfig(join(dir, 'kc.yaml'), api));
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fixture API server', () => {
  test('create, get, delete; a namespace takes its pods with it', async () => {
    await core.createNamespace({ body: { metadata: { name: 'ng-run-1', labels: { 'nodegate.io/run': '1' } } } });
    const created = await core.createNamespacedPod({ namespace: 'ng-run-1', body: { metadata: { name: 'probe' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } });
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect((await core.readNamespacedPod({ namespace: 'ng-run-1', name: 'probe' })).metadata?.name).toBe('probe');
    await core.deleteNamespace({ name: 'ng-run-1' });
    expect(api.objects('namespaces').some((n) => n.metadata?.['name'] === 'ng-run-1')).toBe(false);
    expect(api.objects('pods').some((p) => p.metadata?.['namespace'] === 'ng-run-1')).toBe(false);
  });

  test('Status errors have the real shape: 404 NotFound, 409 AlreadyExists', async () => {
    const got = await core.readNamespacedPod({ namespace: 'default', name: 'nope' }).catch((e: unknown) => e);
    expect(got).toMatchObject({ code: 404 });
    const body = JSON.parse(String((got as { body: unknown }).body)) as Record<string, unknown>;
    expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 });
    const dup = await core.createNamespace({ body: { metadata: { name: 'default' } } }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 409 });
  });

  test('server-side dry-run: admitted pods come back but are not stored; rejected ones are 403 with the admission message', async () => {
    const before = api.objects('pods').length;
    const ok = await core.createNamespacedPod({ namespace: 'default', body: privileged('dry-ok'), dryRun: 'All' });
    expect(ok.metadata?.name).toBe('dry-ok');
    expect(api.objects('pods')).toHaveLength(before);
    const denied = await core.createNamespacedPod({ namespace: 'flask-apps', body: privileged('dry-no'), dryRun: 'All' }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 403 });
    expect(String((denied as { body: unknown }).body)).toContain('violates PodSecurity \\"restricted:latest\\": privileged');
  });

  test('watch from a resourceVersion: events after it, in order, for the selected objects', async () => {
    await core.createNamespace({ body: { metadata: { name: 'ng-watch' } } });
    const list = await core.listNamespacedPod({ namespace: 'ng-watch' });
    const rv = list.metadata?.resourceVersion ?? '0';
    const seen: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      void new Watch(kc)
        .watch(
          '/api/v1/namespaces/ng-watch/pods',
          { resourceVersion: rv, timeoutSeconds: 5 },
          (type, obj: V1Pod) => {
            seen.push(`${type} ${obj.metadata?.name ?? ''}`);
            if (seen.length === 3) resolve();
          },
          (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
        )
        .then((ctl) => done.finally(() => ctl.abort()));
    });
    await core.createNamespacedPod({ namespace: 'ng-watch', body: { metadata: { name: 'a' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    await core.createNamespacedPod({ namespace: 'ng-watch', body: { metadata: { name: 'b' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    await core.deleteNamespacedPod({ namespace: 'ng-watch', name: 'a' });
    await done;
    expect(seen).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
  });

  test('a watch without a resourceVersion starts with ADDED for what exists', async () => {
    await core.createNamespace({ body: { metadata: { name: 'ng-initial' } } });
    await core.createNamespacedPod({ namespace: 'ng-initial', body: { metadata: { name: 'there' }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      void new Watch(kc)
        .watch('/api/v1/namespaces/ng-initial/pods', { timeoutSeconds: 1 }, (type, obj: V1Pod) => seen.push(`${type} ${obj.metadata?.name ?? ''}`), (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
    expect(seen).toEqual(['ADDED there']);
  });

  test('a watch from an expired resourceVersion gets an ERROR event with a 410 Status', async () => {
    const events: { type: string; code: unknown }[] = [];
    await new Promise<void>((resolve, reject) => {
      void new Watch(kc).watch('/api/v1/pods', { resourceVersion: '1' }, (type, obj: { code?: unknown }) => events.push({ type, code: obj.code }), (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);
  });
});
