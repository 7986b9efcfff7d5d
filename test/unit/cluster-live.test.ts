// The live harness core against the fixture API server: run namespaces with run ID and expiry, the sweep of
// expired ones, probe pods pinned to the node and waited on by watch, and cleanup that leaves nothing behind at
// the end of a run or when it is interrupted in any phase (asserted on the server's store).
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { CleanupRegistry, InterruptedError } from '../../src/cluster/live/cleanup.ts';
import { LiveRun } from '../../src/cluster/live/harness.ts';
import { expiryState, newRunId, runNamespaceManifest } from '../../src/cluster/live/run-namespace.ts';
import { dryRunCreatePod } from '../../src/cluster/live/dry-run.ts';
import { sweepExpired } from '../../src/cluster/live/sweep.ts';
import { WaitTimeoutError } from '../../src/cluster/live/wait-pod.ts';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer, type KubeObject, type PodStep, type Scenario } from '../support/fake-apiserver.ts';
import { healthy, namespace, nodeName } from '../support/fake-apiserver-scenarios.ts';

const dir = mkdtempSync(join(tmpdir(), 'nodegate-live-'));
let api: FakeApiServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const running = (ready = true): Record<string, unknown> => ({ phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: 'c', ready, restartCount: 0, image: 'x', imageID: '', state: { running: { startedAt: '2026-11-30T06:00:00Z' } } }] });
const terminated = (phase: string, exitCode: number, reason: string): Record<string, unknown> => ({ phase, containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode, reason } } }] });

/** Probe pods end as their name says: ok → Succeeded 0, bomb → OOMKilled 137, stuck → ImagePullBackOff forever. */
function lifecycle(pod: KubeObject): PodStep[] {
  const name = String(pod.metadata?.['name']);
  if (name.startsWith('bomb')) return [{ afterMs: 20, status: running() }, { afterMs: 30, status: terminated('Failed', 137, 'OOMKilled') }];
  if (name.startsWith('stuck')) return [{ afterMs: 10, status: { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ImagePullBackOff' } } }] } }];
  return [{ afterMs: 20, status: running() }, { afterMs: 30, status: terminated('Succeeded', 0, 'Completed') }];
}

async function serve(extra: Partial<Scenario> = {}): Promise<{ api: FakeApiServer; kc: KubeConfig; path: string }> {
  api = await startFakeApiServer({ ...healthy(), podLifecycle: lifecycle, ...extra });
  const path = writeKubeconfig(join(dir, `kc-${Math.random().toString(16).slice(2)}.yaml`), api);
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return { api, kc, path };
}

/** A signal source the test fires, and the exit codes the harness asks for after cleaning up. */
function signals(): { source: EventEmitter; exits: number[]; exit: (code: number) => void; exited: Promise<number> } {
  const source = new EventEmitter();
  const exits: number[] = [];
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const exit = (code: number): void => {
    exits.push(code);
    resolveExit(code);
  };
  return { source, exits, exit, exited };
}

const probe = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
const leftovers = (a: FakeApiServer): string[] => [
  ...a.objects('namespaces').filter((n) => String(n.metadata?.['name']).startsWith('nodegate-')).map((n) => `namespace ${String(n.metadata?.['name'])}`),
  ...a.objects('pods').filter((p) => String(p.metadata?.['namespace']).startsWith('nodegate-')).map((p) => `pod ${String(p.metadata?.['name'])}`),
];

describe('run namespaces', () => {
  test('run ID: sortable timestamp and random suffix; the namespace is labelled, restricted, annotated with its expiry', () => {
    const id = newRunId(new Date('2026-11-30T06:15:00.123Z'), () => 'abc123');
    expect(id).toBe('20261130t061500-abc123');
    const ns = runNamespaceManifest(id, 'worker-01', new Date('2026-11-30T06:30:00Z'));
    expect(ns.metadata).toEqual({
      name: 'nodegate-20261130t061500-abc123',
      labels: { 'app.kubernetes.io/managed-by': 'nodegate', 'nodegate.io/run-id': id, 'nodegate.io/node': 'worker-01', 'pod-security.kubernetes.io/enforce': 'restricted' },
      annotations: { 'nodegate.io/expires-at': '2026-11-30T06:30:00.000Z' },
    });
    expect(expiryState(ns, new Date('2026-11-30T06:29:59Z'))).toBe('live');
    expect(expiryState(ns, new Date('2026-11-30T06:30:00Z'))).toBe('expired');
    expect(expiryState({ metadata: { annotations: { 'nodegate.io/expires-at': 'soon' } } }, new Date())).toBe('unknown');
  });

  test('the sweep deletes expired run namespaces only: not live ones, not unannotated ones, never unmanaged ones', async () => {
    const managed = { 'app.kubernetes.io/managed-by': 'nodegate' };
    const at = (iso: string, labels: Record<string, string>, name: string): KubeObject => ({ ...namespace(name, labels), metadata: { ...namespace(name, labels).metadata, annotations: { 'nodegate.io/expires-at': iso } } });
    const { api: a, kc } = await serve({
      objects: {
        ...healthy().objects,
        namespaces: [...(healthy().objects['namespaces'] ?? []), at('2026-11-30T05:00:00Z', managed, 'nodegate-old'), at('2026-11-30T07:00:00Z', managed, 'nodegate-running'), namespace('nodegate-manual', managed), at('2026-11-30T05:00:00Z', {}, 'someone-elses')],
        pods: [{ metadata: { name: 'leftover', namespace: 'nodegate-old' }, spec: { containers: [] } }],
      },
    });
    const r = await sweepExpired(kc, new Date('2026-11-30T06:00:00Z'));
    expect(r).toEqual({ deleted: ['nodegate-old'], live: ['nodegate-running'], unknown: ['nodegate-manual'], failed: [] });
    const names = a.objects('namespaces').map((n) => n.metadata?.['name']);
    expect(names).not.toContain('nodegate-old');
    expect(names).toEqual(expect.arrayContaining(['nodegate-running', 'nodegate-manual', 'someone-elses']));
    expect(a.objects('pods').some((p) => p.metadata?.['name'] === 'leftover')).toBe(false);
  });
});

describe('a live run', () => {
  test('probe pods pinned to the node end as the scenario says; finish leaves nothing behind', async () => {
    const { api: a, kc } = await serve();
    const s = signals();
    const run = new LiveRun(kc, { node: nodeName, signals: s.source, exit: s.exit });
    const t0 = performance.now();
    await run.start();
    expect(a.objects('namespaces').find((n) => n.metadata?.['name'] === run.namespace)?.metadata?.['labels']).toMatchObject({ 'nodegate.io/run-id': run.runId });
    const created = await run.createPod(probe('ok-1'));
    expect(created.spec?.nodeName).toBe(nodeName);
    const ok = await run.waitForPod('ok-1', { timeoutMs: 5_000 });
    expect(ok).toMatchObject({ phase: 'Succeeded', containers: [{ name: 'c', state: 'terminated', exitCode: 0, reason: 'Completed' }] });
    await run.createPod(probe('bomb-1'));
    const bomb = await run.waitForPod('bomb-1', { timeoutMs: 5_000 });
    expect(bomb).toMatchObject({ phase: 'Failed', containers: [{ state: 'terminated', exitCode: 137, reason: 'OOMKilled' }] });
    const results = await run.finish();
    const ms = performance.now() - t0;
    expect(results).toEqual([{ name: `namespace ${run.namespace}`, ok: true }]);
    expect(leftovers(a)).toEqual([]);
    expect(s.exits).toEqual([]);
    // Harness overhead on the fixture server: the scenario's own waits are 2 × 50 ms.
    expect(ms).toBeLessThan(5_000);
    console.info(`live harness: start + 2 probe pods + cleanup in ${ms.toFixed(0)} ms (scenario waits 100 ms)`);
  });

  test('a pod that never finishes: the wait times out naming the last state', async () => {
    const { kc } = await serve();
    const s = signals();
    const run = new LiveRun(kc, { node: nodeName, signals: s.source, exit: s.exit });
    await run.start();
    await run.createPod(probe('stuck-1'));
    const err = await run.waitForPod('stuck-1', { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect((err as Error).message).toBe(`pod ${run.namespace}/stuck-1 did not finish within 400ms: last seen phase Pending, c waiting (ImagePullBackOff)`);
    await run.finish();
  });
});

test('a watch the server refuses ends the wait with the reason, no retry loop', async () => {
  const { api: a, kc } = await serve({ forbidden: ['watch pods'] });
  const s = signals();
  const run = new LiveRun(kc, { node: nodeName, signals: s.source, exit: s.exit });
  await run.start();
  await run.createPod(probe('stuck-1'));
  const err = await run.waitForPod('stuck-1', { timeoutMs: 5_000 }).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(new RegExp(`^pod ${run.namespace}/stuck-1: the watch failed with HTTP 403: .* — grant watch on pods with deploy/rbac\\.yaml \\(nodegate-live\\)$`));
  expect(a.requests.filter((r) => r.query.includes('watch=true')).length).toBe(1);
  await run.finish();
  expect(leftovers(a)).toEqual([]);
});

describe('interrupted runs leave no object behind', () => {
  type Phase = 'namespace requested' | 'namespace created' | 'pod requested' | 'pod created' | 'waiting on the pod';
  const phases: Phase[] = ['namespace requested', 'namespace created', 'pod requested', 'pod created', 'waiting on the pod'];

  test.each(phases)('SIGINT when %s: cleanup, exit 130, the store has no run namespace or pod', async (phase) => {
    const { api: a, kc } = await serve();
    const s = signals();
    const run = new LiveRun(kc, { node: nodeName, signals: s.source, exit: s.exit, goneTimeoutMs: 2_000 });
    const interrupt = (): boolean => s.source.emit('SIGINT');
    const settle = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => e);

    let pending: Promise<unknown> = Promise.resolve();
    if (phase === 'namespace requested') {
      pending = settle(run.start());
      interrupt();
    } else {
      await run.start();
      if (phase === 'namespace created') interrupt();
      else if (phase === 'pod requested') {
        pending = settle(run.createPod(probe('stuck-1')));
        interrupt();
      } else {
        await run.createPod(probe('stuck-1'));
        if (phase === 'pod created') interrupt();
        else {
          pending = settle(run.waitForPod('stuck-1', { timeoutMs: 30_000 }));
          await new Promise((r) => setTimeout(r, 100));
          interrupt();
          expect(await pending).toBeInstanceOf(InterruptedError);
        }
      }
    }
    expect(await s.exited).toBe(130);
    await pending;
    expect(s.exits).toEqual([130]);
    expect(leftovers(a)).toEqual([]);
  });

  test('SIGTERM exits 143; a second signal during cleanup does not cut it short', async () => {
    const { api: a, kc } = await serve();
    const s = signals();
    const run = new LiveRun(kc, { node: nodeName, signals: s.source, exit: s.exit });
    await run.start();
    await run.createPod(probe('stuck-1'));
    s.source.emit('SIGTERM');
    s.source.emit('SIGINT');
    expect(await s.exited).toBe(143);
    expect(s.exits).toEqual([143]);
    expect(leftovers(a)).toEqual([]);
    // Handlers are removed after cleanup.
    expect(s.source.listenerCount('SIGINT')).toBe(0);
  });

  test('a real SIGINT to a run in another process: it exits 130 and the store is empty', async () => {
    const { api: a, path } = await serve();
    const child = spawn(process.execPath, [new URL('../support/fake-apiserver-live-child.ts', import.meta.url).pathname, path, nodeName], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('READY')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited ${code} before READY: ${err}`)));
    });
    expect(leftovers(a)).toHaveLength(2);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    expect(code, `child stdout: ${out}\nchild stderr: ${err}`).toBe(130);
    expect(out, `child stderr: ${err}`).toContain('WAIT ENDED InterruptedError');
    expect(leftovers(a)).toEqual([]);
  });
});

describe('server-side dry-run', () => {
  const privileged = { metadata: { name: 'priv' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] } };
  test('admitted, rejected by admission (with its message), and an RBAC 403 told apart; nothing is stored', async () => {
    const { api: a, kc } = await serve({
      admission: (resource, ns) => (resource === 'pods' && ns === 'flask-apps' ? 'violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)' : undefined),
    });
    const before = a.objects('pods').length;
    expect(await dryRunCreatePod(kc, 'default', privileged)).toEqual({ kind: 'admitted' });
    expect(await dryRunCreatePod(kc, 'flask-apps', privileged)).toEqual({
      kind: 'rejected',
      message: 'pods "priv" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)',
    });
    expect(a.objects('pods')).toHaveLength(before);
  });
  test('no permission to create pods: failed, naming the RBAC role, never read as a rejection', async () => {
    const { kc } = await serve({ forbidden: ['create pods'] });
    const r = await dryRunCreatePod(kc, 'flask-apps', privileged);
    expect(r.kind).toBe('failed');
    expect(r).toMatchObject({ status: 403, message: expect.stringMatching(/^forbidden: create pods \(core\) in namespace flask-apps — grant it with deploy\/rbac\.yaml \(nodegate-live\)/) as unknown });
  });
});

describe('CleanupRegistry', () => {
  test('a cleanup that hangs (API server gone) still exits after its timeout; a third signal exits at once', async () => {
    const hung = new CleanupRegistry();
    hung.add('never', () => new Promise<void>(() => undefined));
    const a = signals();
    const said: string[] = [];
    hung.installSignalHandlers(a.source, a.exit, { timeoutMs: 100, onInterrupt: (m) => said.push(m) });
    a.source.emit('SIGINT');
    expect(await a.exited).toBe(130);
    expect(said).toEqual(['SIGINT: cleaning up', "cleanup did not finish within 100ms; the next run's sweep removes what is left after its expiry"]);

    const impatient = new CleanupRegistry();
    impatient.add('never', () => new Promise<void>(() => undefined));
    const b = signals();
    impatient.installSignalHandlers(b.source, b.exit, { timeoutMs: 60_000 });
    b.source.emit('SIGTERM');
    b.source.emit('SIGTERM');
    expect(b.exits).toEqual([]);
    b.source.emit('SIGTERM');
    expect(b.exits).toEqual([143]);
  });


  test('last registered first, a failing step does not stop the rest, runAll is idempotent', async () => {
    const r = new CleanupRegistry();
    const order: string[] = [];
    r.add('a', async () => void order.push('a'));
    r.add('b', async () => {
      order.push('b');
      throw new Error('boom');
    });
    r.add('c', async () => void order.push('c'));
    const [first, second] = await Promise.all([r.runAll(), r.runAll()]);
    expect(order).toEqual(['c', 'b', 'a']);
    expect(first).toEqual([{ name: 'c', ok: true }, { name: 'b', ok: false, message: 'boom' }, { name: 'a', ok: true }]);
    expect(second).toBe(first);
    expect(() => r.add('d', async () => undefined)).toThrow('cleanup already started; cannot register d');
  });
});
