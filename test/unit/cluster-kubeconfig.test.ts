// Where credentials come from (kubectl's order plus the in-cluster service account), and loading them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { KubeconfigError, loadKubeconfig, resolveKubeconfig, serviceAccountDir } from '../../src/cluster/kubeconfig.ts';
import { observeCluster } from '../../src/cluster/observe.ts';
import { defaultClusterProfile } from '../../src/profile/cluster.ts';
import { startFakeApiServer, writeKubeconfig } from '../support/fake-apiserver.ts';
import { healthy, nodeName } from '../support/fake-apiserver-scenarios.ts';

const none = { exists: () => false, home: '/home/op' };
const dir = mkdtempSync(join(tmpdir(), 'nodegate-kc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const api = { url: 'https://127.0.0.1:6443', caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', token: 't' };

describe('resolveKubeconfig', () => {
  test('--kubeconfig wins over KUBECONFIG and the service account', () => {
    expect(resolveKubeconfig({ kubeconfig: '/etc/ng.yaml', context: 'prod' }, { KUBECONFIG: '/a:/b', KUBERNETES_SERVICE_HOST: '10.96.0.1' }, { exists: () => true, home: '/h' })).toEqual({
      kind: 'file',
      paths: ['/etc/ng.yaml'],
      from: '--kubeconfig',
      context: 'prod',
    });
  });
  test('KUBECONFIG is a list, empty entries dropped (kubectl merges them in order)', () => {
    expect(resolveKubeconfig({}, { KUBECONFIG: '/a::/b' }, none)).toEqual({ kind: 'file', paths: ['/a', '/b'], from: 'KUBECONFIG' });
  });
  test('inside a pod: the service account when its token exists', () => {
    const exists = (p: string) => p === join(serviceAccountDir, 'token');
    expect(resolveKubeconfig({}, { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, { exists, home: '/h' })).toEqual({ kind: 'in-cluster' });
    // The variable alone (a pod without an automounted token) is not enough.
    expect(resolveKubeconfig({}, { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, none).kind).toBe('none');
  });
  test('~/.kube/config when it exists; a blank variable counts as unset', () => {
    const exists = (p: string) => p === '/home/op/.kube/config';
    expect(resolveKubeconfig({ kubeconfig: ' ' }, { KUBECONFIG: '', HOME: '/home/op' }, { exists, home: '/x' })).toEqual({ kind: 'file', paths: ['/home/op/.kube/config'], from: 'default' });
  });
  test('nothing configured: none, with the reason (the cluster checks skip with it)', () => {
    const r = resolveKubeconfig({}, { HOME: '/home/op' }, none);
    expect(r).toEqual({ kind: 'none', reason: 'no cluster configured: no --kubeconfig, KUBECONFIG is unset, not running in a pod, and /home/op/.kube/config does not exist' });
  });
});

describe('loadKubeconfig', () => {
  test('loads the server and the current context', () => {
    const p = writeKubeconfig(join(dir, 'a.yaml'), api, 'lab');
    const l = loadKubeconfig({ kind: 'file', paths: [p], from: '--kubeconfig' });
    expect(l).toMatchObject({ context: 'lab', server: 'https://127.0.0.1:6443' });
  });
  test('several files merge with the first one winning, and --context picks among them', () => {
    const a = writeKubeconfig(join(dir, 'm1.yaml'), api, 'one');
    const b = writeKubeconfig(join(dir, 'm2.yaml'), { ...api, url: 'https://127.0.0.1:7443' }, 'two');
    // A third file repeating "one" with another server: kubectl keeps the first; client-node's mergeConfig would throw.
    const c = writeKubeconfig(join(dir, 'm3.yaml'), { ...api, url: 'https://127.0.0.1:9999' }, 'one');
    expect(loadKubeconfig({ kind: 'file', paths: [a, b, c], from: 'KUBECONFIG' })).toMatchObject({ context: 'one', server: 'https://127.0.0.1:6443' });
    expect(loadKubeconfig({ kind: 'file', paths: [a, b, c], from: 'KUBECONFIG', context: 'two' })).toMatchObject({ context: 'two', server: 'https://127.0.0.1:7443' });
  });
  test('an unknown context names the ones there are', () => {
    const p = writeKubeconfig(join(dir, 'b.yaml'), api, 'lab');
    expect(() => loadKubeconfig({ kind: 'file', paths: [p], from: '--kubeconfig', context: 'prod' })).toThrow(new KubeconfigError('context "prod" is not in the kubeconfig (it has: lab)'));
  });
  test('a missing or unparsable file is a KubeconfigError naming it', () => {
    expect(() => loadKubeconfig({ kind: 'file', paths: [join(dir, 'nope.yaml')], from: 'KUBECONFIG' })).toThrow(/^kubeconfig .*nope\.yaml \(from KUBECONFIG\) does not exist$/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters: [: :\n');
    expect(() => loadKubeconfig({ kind: 'file', paths: [bad], from: '--kubeconfig' })).toThrow(KubeconfigError);
  });
});

describe('observeCluster', () => {
  test('KUBECONFIG set: the facts are gathered through it', async () => {
    const server = await startFakeApiServer(healthy());
    try {
      const p = writeKubeconfig(join(dir, 'observe.yaml'), server, 'lab');
      const o = await observeCluster({}, { KUBECONFIG: p }, nodeName, defaultClusterProfile());
      expect(o.kind).toBe('observed');
      expect(o.kind === 'observed' ? { context: o.facts.context, server: o.facts.server, ready: o.facts.nodeObject.ok } : undefined).toEqual({ context: 'lab', server: server.url, ready: true });
    } finally {
      await server.close();
    }
  });
  test('nothing configured: none, with the reason; a broken --kubeconfig: bad-kubeconfig, never a silent skip', async () => {
    expect(await observeCluster({}, { HOME: '/home/op' }, nodeName, defaultClusterProfile(), { deps: none })).toEqual({
      kind: 'none',
      reason: 'no cluster configured: no --kubeconfig, KUBECONFIG is unset, not running in a pod, and /home/op/.kube/config does not exist',
    });
    const o = await observeCluster({ kubeconfig: join(dir, 'absent.yaml') }, {}, nodeName, defaultClusterProfile());
    expect(o.kind).toBe('bad-kubeconfig');
    expect(o.kind === 'bad-kubeconfig' ? o.error.message : '').toMatch(/absent\.yaml \(from --kubeconfig\) does not exist$/);
  });
});
