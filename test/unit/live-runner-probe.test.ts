// The runner's HTTP(S) probe and the kubelet API verdicts built on it, against small local servers on 127.0.0.1:
// a kubelet answering /healthz is told apart from a port that only accepts TCP (KUBELET-3.5.1's runner half),
// anonymous → 401 (KUBELET-3.5.2), a token with no RBAC → 403 (KUBELET-3.5.3).
import { afterEach, describe, expect, test } from 'vitest';
import { httpProbe } from '../../src/facts/runner-probe.ts';
import { kubeletAnonymous, kubeletAuthorizes, readOnlyPortAnswer, readOnlyPortWords } from '../../src/evaluate/live/kubelet-api.ts';
import { hardenedKubelet, startFakeKubelet, type FakeKubelet } from '../support/fake-apiserver-kubelet.ts';
import { closedPort, tcpOnlyListener } from '../support/loopback-listeners.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function kubelet(...args: Parameters<typeof startFakeKubelet>): Promise<FakeKubelet> {
  const k = await startFakeKubelet(...args);
  closers.push(() => k.close());
  return k;
}

async function tcpOnly(behaviour: 'silent' | 'junk'): Promise<number> {
  const l = await tcpOnlyListener(behaviour);
  closers.push(l.close);
  return l.port;
}

describe('KUBELET-3.5.1 runner half: HTTP GET /healthz on the read-only port', () => {
  test('a kubelet answering 200 "ok" is a kubelet', async () => {
    const k = await kubelet(hardenedKubelet, { tls: false });
    const p = await httpProbe(`${k.url}/healthz`, { timeoutMs: 2_000 });
    expect(p).toEqual({ kind: 'http', status: 200, body: 'ok' });
    expect(readOnlyPortAnswer(p)).toBe('kubelet');
    expect(readOnlyPortWords(10255, p)).toBe('a kubelet answers GET http://NODE:10255/healthz (HTTP 200 "ok"): the read-only port is serving');
  });

  test('a port that accepts TCP and stays silent is not a kubelet (told apart within the timeout)', async () => {
    const port = await tcpOnly('silent');
    const t0 = performance.now();
    const p = await httpProbe(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(p).toEqual({ kind: 'no-http', detail: 'connected, but no HTTP answer within 300ms' });
    expect(readOnlyPortAnswer(p)).toBe('tcp-only');
  });

  test('a port that answers something other than HTTP is not a kubelet', async () => {
    const port = await tcpOnly('junk');
    const p = await httpProbe(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 2_000 });
    expect(p.kind).toBe('no-http');
    expect(readOnlyPortAnswer(p)).toBe('tcp-only');
    expect(readOnlyPortWords(10255, p)).toMatch(/^port 10255 accepts TCP but does not answer HTTP \(TCP open, no HTTP answer: connected, but /);
  });

  test('a closed port is refused; an unresolvable name is unreachable, not closed', async () => {
    const p = await httpProbe(`http://127.0.0.1:${await closedPort()}/healthz`, { timeoutMs: 2_000 });
    expect(p).toEqual({ kind: 'refused' });
    expect(readOnlyPortAnswer(p)).toBe('closed');
    const u = await httpProbe('http://nodegate-no-such-host.invalid:10255/healthz', { timeoutMs: 2_000 });
    expect(u.kind).toBe('unreachable');
    expect(readOnlyPortAnswer(u)).toBe('unknown');
  });
});

describe('KUBELET-3.5.2: anonymous GET https://NODE:10250/pods', () => {
  test('401 from a kubelet with anonymous auth off passes, and no credentials were sent', async () => {
    const k = await kubelet(hardenedKubelet);
    const url = `${k.url}/pods`;
    const v = kubeletAnonymous(url, await httpProbe(url, { timeoutMs: 2_000 }));
    expect(v).toMatchObject({ status: 'pass', actual: 'HTTP 401' });
    expect(k.authorizations).toEqual([undefined]);
  });

  test('200 from a kubelet that lets anonymous through fails', async () => {
    const k = await kubelet({ anonymous: true, webhookAuthn: true, authz: 'AlwaysAllow' });
    const v = kubeletAnonymous(`${k.url}/pods`, await httpProbe(`${k.url}/pods`, { timeoutMs: 2_000 }));
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/served its pod list to an anonymous caller/);
  });

  test('403 (anonymous authenticated, only authorization refused) fails: it must be 401', async () => {
    const k = await kubelet({ anonymous: true, webhookAuthn: true, authz: 'Webhook' });
    const v = kubeletAnonymous(`${k.url}/pods`, await httpProbe(`${k.url}/pods`, { timeoutMs: 2_000 }));
    expect(v).toMatchObject({ status: 'fail', actual: 'HTTP 403' });
  });

  test('connection refused is an error, never a pass', async () => {
    const url = `https://127.0.0.1:${await closedPort()}/pods`;
    const v = kubeletAnonymous(url, await httpProbe(url, { timeoutMs: 2_000 }));
    expect(v).toMatchObject({ status: 'error', actual: 'connection refused' });
  });

  test('a TCP-only port (no TLS, no HTTP) is an error', async () => {
    const port = await tcpOnly('silent');
    const url = `https://127.0.0.1:${port}/pods`;
    const v = kubeletAnonymous(url, await httpProbe(url, { timeoutMs: 300 }));
    expect(v.status).toBe('error');
  });
});

describe('KUBELET-3.5.3: a token with no RBAC', () => {
  test('403 from the webhook authorizer passes; the token was sent', async () => {
    const k = await kubelet(hardenedKubelet);
    const v = kubeletAuthorizes(`${k.url}/pods`, await httpProbe(`${k.url}/pods`, { timeoutMs: 2_000, bearerToken: 'tok' }));
    expect(v).toMatchObject({ status: 'pass', actual: 'HTTP 403' });
    expect(k.authorizations).toEqual(['Bearer tok']);
  });

  test('200 under AlwaysAllow fails; 401 (no webhook authentication) fails', async () => {
    const allow = await kubelet({ anonymous: false, webhookAuthn: true, authz: 'AlwaysAllow' });
    expect(kubeletAuthorizes(`${allow.url}/pods`, await httpProbe(`${allow.url}/pods`, { timeoutMs: 2_000, bearerToken: 't' })).status).toBe('fail');
    const noAuthn = await kubelet({ anonymous: false, webhookAuthn: false, authz: 'Webhook' });
    const v = kubeletAuthorizes(`${noAuthn.url}/pods`, await httpProbe(`${noAuthn.url}/pods`, { timeoutMs: 2_000, bearerToken: 't' }));
    expect(v).toMatchObject({ status: 'fail', actual: 'HTTP 401' });
    expect(v.message).toMatch(/authentication\.webhook\.enabled is false/);
  });

  test('no answer is an error', async () => {
    const url = `https://127.0.0.1:${await closedPort()}/pods`;
    expect(kubeletAuthorizes(url, await httpProbe(url, { timeoutMs: 2_000, bearerToken: 't' })).status).toBe('error');
  });
});
