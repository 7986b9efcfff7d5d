// The cluster settings (--kubeconfig, --context, --live) resolve like every other setting, and the kubeconfig they
// name is checked before any node is reached: a bad one is a usage error (exit 2), none at all is a stated skip.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { clusterSource, preflightCluster, replayWithoutKubeconfig } from '../../src/run/cluster.ts';
import { resolveSettings } from '../../src/run/settings.ts';
import { writeKubeconfig } from '../support/fake-apiserver.ts';

let dir: string;
let kubeconfig: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-cluster-settings-'));
  await writeFile(join(dir, 'nodegate.config.yaml'), 'kubeconfig: from-config.yaml\ncontext: config-ctx\nlive: true\n');
  // A kubeconfig that loads (it is never contacted here): CA and token are placeholders.
  kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), { url: 'https://127.0.0.1:1', caPem: 'not a certificate', token: 't' }, 'lab');
});

describe('cluster settings', () => {
  test('nothing given: no kubeconfig, no context, not live; the ambient variables are kept for kubectl\'s order', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ng-cluster-empty-'));
    const s = await resolveSettings({}, { KUBECONFIG: '/k/a:/k/b', HOME: '/home/x', KUBERNETES_SERVICE_HOST: ' ', PATH: '/bin' }, empty);
    expect(s.cluster).toEqual({ live: false, env: { KUBECONFIG: '/k/a:/k/b', HOME: '/home/x' } });
  });

  test('flag over NODEGATE_* over the config file, for each of kubeconfig, context and live', async () => {
    const fromConfig = await resolveSettings({}, {}, dir);
    expect(fromConfig.cluster).toMatchObject({ kubeconfig: join(dir, 'from-config.yaml'), context: 'config-ctx', live: true });
    const env = { NODEGATE_KUBECONFIG: 'env.yaml', NODEGATE_CONTEXT: 'env-ctx', NODEGATE_LIVE: '0' };
    const fromEnv = await resolveSettings({}, env, dir);
    expect(fromEnv.cluster).toMatchObject({ kubeconfig: join(dir, 'env.yaml'), context: 'env-ctx', live: false });
    const fromFlags = await resolveSettings({ kubeconfig: '/abs/flag.yaml', context: 'flag-ctx', live: true }, env, dir);
    expect(fromFlags.cluster).toMatchObject({ kubeconfig: '/abs/flag.yaml', context: 'flag-ctx', live: true });
  });

  test('a blank NODEGATE_KUBECONFIG counts as unset', async () => {
    const s = await resolveSettings({}, { NODEGATE_KUBECONFIG: '', NODEGATE_CONTEXT: '' }, dir);
    expect(s.cluster.kubeconfig).toBe(join(dir, 'from-config.yaml'));
    expect(s.cluster.context).toBe('config-ctx');
  });

  test('a config key of the wrong type names its field', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'ng-cluster-bad-'));
    await writeFile(join(bad, 'nodegate.config.yaml'), 'live: "yes please"\n');
    await expect(resolveSettings({}, {}, bad)).rejects.toThrow(/field "live"/);
  });
});

describe('which credentials a run reads', () => {
  const base = { live: false, env: {} };

  test('a live run follows kubectl\'s order: --kubeconfig, then KUBECONFIG', () => {
    expect(clusterSource({ ...base, kubeconfig: '/x/k' }, false)).toMatchObject({ kind: 'file', paths: ['/x/k'], from: '--kubeconfig' });
    expect(clusterSource({ ...base, env: { KUBECONFIG: '/a:/b' } }, false)).toMatchObject({ kind: 'file', paths: ['/a', '/b'], from: 'KUBECONFIG' });
  });

  test('a replay ignores the ambient KUBECONFIG: only an explicit kubeconfig reads a cluster beside recorded facts', () => {
    expect(clusterSource({ ...base, env: { KUBECONFIG: '/a' } }, true)).toEqual({ kind: 'none', reason: replayWithoutKubeconfig });
    expect(clusterSource({ ...base, kubeconfig: '/x/k', env: { KUBECONFIG: '/a' } }, true)).toMatchObject({ kind: 'file', paths: ['/x/k'] });
  });

  test('preflight: a loadable kubeconfig passes, without contacting its server', () => {
    expect(() => preflightCluster({ ...base, kubeconfig }, false)).not.toThrow();
    expect(() => preflightCluster({ ...base, kubeconfig, context: 'lab' }, false)).not.toThrow();
  });

  test('preflight: a missing file and an unknown context are usage errors naming them', () => {
    const missing = join(dir, 'nope.yaml');
    expect(() => preflightCluster({ ...base, kubeconfig: missing }, false)).toThrow(UsageError);
    expect(() => preflightCluster({ ...base, kubeconfig: missing }, false)).toThrow(`kubeconfig ${missing} (from --kubeconfig) does not exist`);
    expect(() => preflightCluster({ ...base, kubeconfig, context: 'prod' }, false)).toThrow('context "prod" is not in the kubeconfig (it has: lab)');
  });

  test('preflight: --context with no kubeconfig at all is refused rather than silently skipping the cluster', () => {
    expect(() => preflightCluster({ ...base, context: 'lab' }, true)).toThrow(/--context "lab" names a context, but no kubeconfig is configured/);
  });

  test('preflight: no kubeconfig and no context is fine (the cluster checks will skip, saying why)', () => {
    expect(() => preflightCluster(base, true)).not.toThrow();
  });
});
