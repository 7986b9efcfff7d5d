// KUBELET-3.5.1 end to end: observeNodes on the local target does its runner half as an HTTP GET of /healthz on
// the profile's read-only port, against small servers on 127.0.0.1 (a kubelet, a TCP-only listener, nothing),
// records it as RunnerFacts.http, and the evaluator judges those facts with the node's own socket table.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { kubeletEvaluators } from '../../src/evaluate/kubelet/index.ts';
import { loadSnapshot, saveSnapshot } from '../../src/run/snapshot.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { buildProfile } from '../../src/profile/load.ts';
import type { Profile } from '../../src/profile/schema.ts';
import { observeNodes, readOnlyPortUrl, type ReadCluster } from '../../src/run/observe.ts';
import { resolveSettings } from '../../src/run/settings.ts';
import { hardenedKubelet, startFakeKubelet } from '../support/fake-apiserver-kubelet.ts';
import { closedPort, tcpOnlyListener } from '../support/loopback-listeners.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const noCluster: ReadCluster = async () => ({ kind: 'none', reason: 'no cluster in this test' });

/** A listener that accepts and never answers, like a port forward to nothing. */
async function silentListener(): Promise<number> {
  const l = await tcpOnlyListener('silent');
  closers.push(l.close);
  return l.port;
}

/** Observe this machine as the node, with the read-only port moved to `port`; the facts and the profile used. */
async function observeLocal(port: number): Promise<{ facts: NodeFacts; profile: Profile }> {
  const cwd = await mkdtemp(join(tmpdir(), 'ng-ro-http-'));
  dirs.push(cwd);
  const profile = buildProfile([{ file: 'test', data: { kubelet: { legacyReadOnlyPort: port } } }]);
  const settings = await resolveSettings({ target: ['local'], node: ['ro-node'] }, {}, cwd);
  const [o] = await observeNodes(settings, profile, undefined, noCluster);
  if (!o || !('facts' in o)) throw new Error(`the local node was not observed: ${JSON.stringify(o)}`);
  return { facts: o.facts, profile: { ...profile, node: { ...profile.node, name: 'ro-node' } } };
}

const judge = (facts: NodeFacts, profile: Profile) => kubeletEvaluators['KUBELET-3.5.1']!(facts, profile);

describe('KUBELET-3.5.1 runner half is an HTTP GET, observed end to end on 127.0.0.1', () => {
  test('nothing on the port: refused, recorded as http, and the check passes', async () => {
    const port = await closedPort();
    const { facts, profile } = await observeLocal(port);
    expect(facts.runner).toEqual({ http: { [port]: { kind: 'refused' } } });
    const v = judge(facts, profile);
    expect(v.status, v.message).toBe('pass');
    expect(v.actual).toBe(`no listener on :${port}; runner GET /healthz: connection refused`);
    expect(v.source).toContain(`runner GET http://NODE:${port}/healthz`);
  }, 60_000);

  test('a kubelet answering /healthz with 200 "ok": the read-only port is serving, the check fails', async () => {
    const k = await startFakeKubelet(hardenedKubelet, { tls: false });
    closers.push(() => k.close());
    const port = Number(new URL(k.url).port);
    const { facts, profile } = await observeLocal(port);
    expect(facts.runner?.http?.[port]).toEqual({ kind: 'http', status: 200, body: 'ok' });
    const v = judge(facts, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain(`a kubelet answers GET http://NODE:${port}/healthz (HTTP 200 "ok"): the read-only port is serving`);
    // This machine is the node: its socket table shows the listener too.
    expect(v.message).toContain(`the node listens on :${port}`);
    expect(v.message).toContain('See KUBELET-3.3.1');
    // Saved and replayed (JSON turns the port key into a string): the same verdict with no node at all.
    const file = join(dirs[dirs.length - 1]!, 'snap.json');
    await saveSnapshot(file, [facts]);
    const replayed = (await loadSnapshot(file)).nodes[0]!;
    expect(judge(replayed, profile)).toEqual(v);
  }, 60_000);

  test('a listener that only accepts TCP is told apart from a kubelet, and still fails as a listener', async () => {
    const port = await silentListener();
    const { facts, profile } = await observeLocal(port);
    expect(facts.runner?.http?.[port]).toEqual({ kind: 'no-http', detail: 'connected, but no HTTP answer within 3000ms' });
    const v = judge(facts, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain(`port ${port} accepts TCP but does not answer HTTP`);
    expect(v.message).toContain('not a kubelet');
    expect(v.message).toContain(`the node listens on :${port}`);
    expect(v.message).toContain("not the kubelet's read-only API: another program holds the port");
    expect(v.message).not.toContain('the unauthenticated read-only API is served');
  }, 60_000);
});

describe('readOnlyPortUrl', () => {
  test('brackets an IPv6 literal, leaves names and IPv4 alone', () => {
    expect(readOnlyPortUrl('10.0.0.5', 10255)).toBe('http://10.0.0.5:10255/healthz');
    expect(readOnlyPortUrl('node-1.example', 10255)).toBe('http://node-1.example:10255/healthz');
    expect(readOnlyPortUrl('fd00::5', 10255)).toBe('http://[fd00::5]:10255/healthz');
  });
});
