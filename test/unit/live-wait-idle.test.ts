// waitForPod against the fixture API server when the pod posts no status for longer than a watch may idle: the wait
// watches again from the last resourceVersion instead of failing, and still ends at the caller's own timeout.
import { EventEmitter } from 'node:events';
import { afterEach, expect, test } from 'vitest';
import { LiveRun } from '../../src/cluster/live/harness.ts';
import { WaitTimeoutError } from '../../src/cluster/live/wait-pod.ts';
import type { FakeApiServer, KubeObject, PodStep } from '../support/fake-apiserver.ts';
import { healthy, nodeName } from '../support/fake-apiserver-scenarios.ts';
import { useFakeCluster } from '../support/fake-live.ts';

const startCluster = useFakeCluster('nodegate-wait-idle-');
let run: LiveRun | undefined;
// Registered after the fixture cluster's teardown, so it runs before it (Vitest runs after-hooks as a stack): the
// run finishes while its server still answers.
afterEach(async () => {
  await run?.finish();
  run = undefined;
});

/** client-node's Watch aborts after this long without a byte (30 s in production, injected here). */
const idleMs = 150;
const pulling = { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }] };
const done = { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };

/** "slow": pulling, then nothing for 2 s (> 13 idle timeouts), then Succeeded; "stuck": pulling forever. */
function lifecycle(pod: KubeObject): PodStep[] {
  const first: PodStep = { afterMs: 10, status: pulling };
  return String(pod.metadata?.['name']) === 'slow' ? [first, { afterMs: 2_000, status: done }] : [first];
}

async function started(): Promise<{ api: FakeApiServer; run: LiveRun }> {
  const { api, kc } = await startCluster({ ...healthy(), podLifecycle: lifecycle }, false);
  run = new LiveRun(kc, { node: nodeName, signals: new EventEmitter(), exit: () => undefined });
  await run.start();
  return { api, run };
}

const watches = (a: FakeApiServer, name: string): URLSearchParams[] =>
  a.requests.map((r) => new URL(`${r.path}${r.query}`, 'https://x')).filter((u) => u.searchParams.get('watch') === 'true' && u.searchParams.get('fieldSelector') === `metadata.name=${name}`).map((u) => u.searchParams);

test('a pod silent for many idle timeouts (a slow image pull) is still waited for, each watch resuming from the last resourceVersion', async () => {
  // Before the fix, client-node's TimeoutError (DOMException code 23) counted as a failed watch: the third ended the
  // wait with "the watch failed with HTTP 23: The operation was aborted due to timeout" after ~1.5 s here.
  const { api: a, run: r } = await started();
  await r.createPod({ metadata: { name: 'slow' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
  const t0 = performance.now();
  const outcome = await r.waitForPod('slow', { timeoutMs: 4_000, watchIdleMs: idleMs });
  const ms = performance.now() - t0;
  expect(outcome.phase).toBe('Succeeded');
  expect(outcome.containers).toEqual([{ name: 'c', state: 'terminated', exitCode: 0, reason: 'Completed' }]);
  const ws = watches(a, 'slow');
  // ~2 s / 150 ms: well over the three a failure count would allow.
  expect(ws.length).toBeGreaterThan(5);
  // Every restart after the pod's last status change resumes from that change's resourceVersion (no relist, no gap).
  const rvs = ws.map((q) => Number(q.get('resourceVersion')));
  expect(rvs.slice(2).every((v) => v === rvs.at(-1))).toBe(true);
  expect(rvs.at(-1)).toBeGreaterThanOrEqual(rvs[0] ?? Infinity);
  // The caller's timeout is not reset by the restarts: each asks the server for at most what is left of it.
  expect(ws.every((q) => Number(q.get('timeoutSeconds')) <= 4)).toBe(true);
  console.info(`idle watch: ${ws.length} watches over ${ms.toFixed(0)} ms, pod done after 2 s of silence`);
});

test('the caller\'s timeout still ends the wait, naming the last state and the idle restarts, never "HTTP 23"', async () => {
  const { run: r } = await started();
  await r.createPod({ metadata: { name: 'stuck' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
  const t0 = performance.now();
  const err = await r.waitForPod('stuck', { timeoutMs: 1_800, watchIdleMs: idleMs }).catch((e: unknown) => e);
  const ms = performance.now() - t0;
  expect(err).toBeInstanceOf(WaitTimeoutError);
  expect((err as Error).message).toMatch(new RegExp(`^pod ${r.namespace}/stuck did not finish within 2s: last seen phase Pending, c waiting \\(ContainerCreating\\) \\(its watch was restarted \\d+ times after idling\\)$`));
  expect(ms).toBeGreaterThanOrEqual(1_790);
  expect(ms).toBeLessThan(3_000);
});
