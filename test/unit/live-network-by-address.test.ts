// NET-5.3.x go by address and NET-5.2.x own name resolution: with cluster DNS down (the cluster lab's coredns-down,
// CoreDNS scaled to 0) only the DNS checks fail, the reachability checks and the policy checks behind them still
// judge the network; with the pod network down they fail as before. Against the fixture API server, and the client
// script itself under a real POSIX shell with a stub wget that records where it was sent.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runLiveChecks, type LiveCheckId, type LiveReport } from '../../src/evaluate/live/index.ts';
import { rcOf } from '../../src/evaluate/live/observe-pod.ts';
import { clientPod, markers } from '../../src/evaluate/live/pods.ts';
import type { VerdictStatus } from '../../src/evaluate/verdict.ts';
import { type Scenario } from '../support/fake-apiserver.ts';
import { fixtureApiServerAddress, fixtureServiceIp, healthyBehaviour, liveLifecycle, liveScenario, podSecurity } from '../support/fake-apiserver-live.ts';
import { liveTestOptions, useFakeCluster } from '../support/fake-live.ts';

const startCluster = useFakeCluster('nodegate-net-addr-');

const net = ['NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2', 'NET-5.4.1', 'NET-5.4.2'] as const satisfies readonly LiveCheckId[];

/** The network checks only (plan.ts: web, Service, client, blocked, restored), no kubelet needed. */
async function live(s: Scenario): Promise<LiveReport> {
  const { kc } = await startCluster(s, false);
  return runLiveChecks(kc, { ...liveTestOptions, selected: net });
}

const statuses = (r: LiveReport): Record<string, VerdictStatus> => Object.fromEntries(net.map((id) => [id, r.verdicts[id].status]));

describe('cluster DNS down, pod network fine', () => {
  test('NET-5.2.x fail; NET-5.3.1 and 5.3.2 pass by address; NET-5.4.1/5.4.2 run on their passed control', async () => {
    // Before: the client reached kubernetes.default.svc and the Service by name, so "bad address" failed NET-5.3.1
    // ("API server unreachable") and NET-5.3.2 ("pod-to-pod traffic broken"), and NET-5.4.x were errors.
    const r = await live(liveScenario('dns down', { dnsWorks: false }));
    expect(statuses(r)).toEqual({ 'NET-5.2.1': 'fail', 'NET-5.2.2': 'fail', 'NET-5.3.1': 'pass', 'NET-5.3.2': 'pass', 'NET-5.4.1': 'pass', 'NET-5.4.2': 'pass' });
    expect(r.verdicts['NET-5.2.2'].message).toMatch(/bad address 'nodegate-web'/);
    expect(r.verdicts['NET-5.3.1'].actual).toBe(`TLS handshake and an HTTP answer at ${fixtureApiServerAddress} (KUBERNETES_SERVICE_HOST/PORT)`);
    // The catalog's endpoint is kubernetes.default.svc:443; the source says this is it, by address.
    expect(r.verdicts['NET-5.3.1'].source).toMatch(/kubernetes\.default\.svc\.cluster\.local:443 by the address the kubelet injects into every pod, so no DNS lookup is involved$/);
    expect(r.verdicts['NET-5.3.2'].source).toMatch(new RegExp(`wget http://${fixtureServiceIp.replaceAll('.', '\\.')}/ — Service nodegate-web by its ClusterIP`));
    expect(r.verdicts['NET-5.4.1'].source).toContain(`wget -T 5 http://${fixtureServiceIp}/`);
    expect(r.verdicts['NET-5.4.1'].actual).toBe('1 attempt(s), last timed out');
  });
});

describe('pod network down (the lab\'s no-pod-network)', () => {
  test('NET-5.3.1 and 5.3.2 still fail, naming the address they could not reach; NET-5.4.1 is an error', async () => {
    const r = await live(liveScenario('no pod network', { podConnectivity: false }));
    expect(statuses(r)).toEqual({ 'NET-5.2.1': 'fail', 'NET-5.2.2': 'fail', 'NET-5.3.1': 'fail', 'NET-5.3.2': 'fail', 'NET-5.4.1': 'error', 'NET-5.4.2': 'error' });
    expect(r.verdicts['NET-5.3.1'].message).toMatch(new RegExp(`^The API server was not reachable over TCP/TLS at ${fixtureApiServerAddress.replaceAll('.', '\\.')} from this node's pods\\. Pod output: .*download timed out`));
    expect(r.verdicts['NET-5.3.2'].message).toMatch(/pod-to-pod traffic on this node is broken/);
  });
});

describe('a pod without KUBERNETES_SERVICE_HOST (never seen from a kubelet, but the script falls back to the name)', () => {
  test('with DNS up, NET-5.3.1 passes by name and says so', async () => {
    const r = await live(liveScenario('no env', { serviceEnvInjected: false }));
    expect(r.verdicts['NET-5.3.1']).toMatchObject({ status: 'pass', actual: 'TLS handshake and an HTTP answer at kubernetes.default.svc.cluster.local:443 (by name: the pod had no KUBERNETES_SERVICE_HOST)' });
  });

  test('with DNS down too, NET-5.3.1 is an error (reachability unknown), never a failure of the network', async () => {
    const r = await live(liveScenario('no env, dns down', { serviceEnvInjected: false, dnsWorks: false }));
    expect(r.verdicts['NET-5.3.1'].status).toBe('error');
    expect(r.verdicts['NET-5.3.1'].message).toMatch(/^The pod had no KUBERNETES_SERVICE_HOST .* whether the API server is reachable is unknown\. Pod output: .*bad address 'kubernetes\.default\.svc\.cluster\.local'/);
    expect(r.verdicts['NET-5.3.2'].status).toBe('pass');
  });
});

test('a client whose output lacks the api-addr/api-tls lines (an image without the shell or wget the script expects): NET-5.3.1 is an error', async () => {
  const healthyPods = liveLifecycle(healthyBehaviour);
  const r = await live(
    liveScenario('odd image', {}, {
      podLifecycle: (pod, store) =>
        pod.metadata?.['labels'] && (pod.metadata['labels'] as Record<string, string>)['nodegate.io/probe'] === 'client'
          ? [{ afterMs: 20, status: { phase: 'Failed', containerStatuses: [{ name: 'probe', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 127, reason: 'Error' } } }] }, log: 'NODEGATE dns-cluster rc=0\nsh: wget: not found\n' }]
          : healthyPods(pod, store),
    }),
  );
  expect(r.verdicts['NET-5.3.1']).toMatchObject({ status: 'error', actual: 'api-addr not reported, api-tls not reported' });
  expect(r.verdicts['NET-5.3.1'].message).toMatch(/lacks its result lines .*sh: wget: not found/);
  expect(r.verdicts['NET-5.2.1'].status).toBe('pass');
});

describe('no ClusterIP to go by', () => {
  test('a Service answered without spec.clusterIP: NET-5.3.2 is an error naming it, NET-5.2.2 still judges the name', async () => {
    // Pod Security without the fixture's ClusterIP allocation (liveScenario's admission fills it in).
    const r = await live(liveScenario('no cluster ip', {}, { admission: podSecurity(true) }));
    expect(statuses(r)).toEqual({ 'NET-5.2.1': 'pass', 'NET-5.2.2': 'pass', 'NET-5.3.1': 'pass', 'NET-5.3.2': 'error', 'NET-5.4.1': 'error', 'NET-5.4.2': 'error' });
    expect(r.verdicts['NET-5.3.2'].message).toBe('No server to reach: Service nodegate-web cannot be reached by address: it has no ClusterIP (spec.clusterIP null)');
  });

  test('reading the Service back refused (RBAC): NET-5.3.2 is an error naming the request', async () => {
    const r = await live(liveScenario('no cluster ip, no get', {}, { admission: podSecurity(true), forbidden: ['get services'] }));
    expect(r.verdicts['NET-5.3.2'].status).toBe('error');
    expect(r.verdicts['NET-5.3.2'].message).toMatch(/^No server to reach: Service nodegate-web cannot be reached by address: its create answer had no ClusterIP and reading it back failed: get services nodegate-[^/]+\/nodegate-web: HTTP 403: /);
  });
});

describe('the client script under a real shell: where each request goes', () => {
  /** Runs the client pod's script with stub nslookup/wget; the stub wget logs each URL it was given. */
  function run(env: Record<string, string>, serviceIp: string | undefined): { out: string; urls: string[] } {
    const bin = mkdtempSync(join(tmpdir(), 'nodegate-stub-'));
    try {
      const urlLog = join(bin, 'urls');
      writeFileSync(join(bin, 'nslookup'), '#!/bin/sh\necho ";; connection timed out; no servers could be reached"\nexit 1\n');
      // Names do not resolve (DNS down); addresses answer, the API server with its 401.
      writeFileSync(join(bin, 'wget'), `#!/bin/sh\nfor a; do last=$a; done\necho "$last" >> ${urlLog}\ncase "$last" in http*://[0-9[]*) case "$last" in https://*) echo "wget: server returned error: HTTP/1.1 401 Unauthorized"; exit 1;; esac; exit 0;; *) h=\${last#*://}; echo "wget: bad address '\${h%%[:/]*}'"; exit 1;; esac\n`);
      chmodSync(join(bin, 'nslookup'), 0o755);
      chmodSync(join(bin, 'wget'), 0o755);
      const script = clientPod('client', 'busybox:1.36', 'nodegate-web', 'nodegate-x', 'cluster.local', serviceIp).spec?.containers[0]?.command?.[2] ?? '';
      const out = execFileSync('sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
      return { out, urls: readFileSync(urlLog, 'utf8').trim().split('\n') };
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  test('IPv4: the API server at the env\'s address and port, the Service at its ClusterIP; only the DNS keys fail', () => {
    const { out, urls } = run({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, '10.96.0.42');
    // The probes run concurrently, so the stub logs the URLs in no fixed order.
    expect([...urls].sort()).toEqual(['http://10.96.0.42/', 'http://nodegate-web/', 'https://10.96.0.1:443/healthz']);
    const m = markers(out);
    expect(m.get('api-addr')).toBe('env 10.96.0.1:443');
    expect(Object.fromEntries(['dns-cluster', 'dns-short', 'dns-full', 'api-tls', 'http'].map((k) => [k, rcOf(m.get(k))]))).toEqual({ 'dns-cluster': 1, 'dns-short': 1, 'dns-full': 1, 'api-tls': 0, http: 0 });
  });

  test('IPv6 (a single-stack v6 cluster): both addresses in brackets, the env\'s port kept', () => {
    const { urls, out } = run({ KUBERNETES_SERVICE_HOST: 'fd00:10:96::1', KUBERNETES_SERVICE_PORT: '6443' }, 'fd00:10:96::2a');
    expect(urls.filter((u) => u.includes('[')).sort()).toEqual(['http://[fd00:10:96::2a]/', 'https://[fd00:10:96::1]:6443/healthz']);
    expect(markers(out).get('api-addr')).toBe('env [fd00:10:96::1]:6443');
  });

  test('no KUBERNETES_SERVICE_HOST: the name, marked as such (the verdict then needs DNS to mean anything)', () => {
    const { urls, out } = run({}, '10.96.0.42');
    expect(urls).toContain('https://kubernetes.default.svc.cluster.local:443/healthz');
    expect(markers(out).get('api-addr')).toBe('name kubernetes.default.svc.cluster.local:443');
    expect(rcOf(markers(out).get('api-tls'))).toBe(1);
  });
});
