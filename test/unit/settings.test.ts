// Settings resolution: flags over NODEGATE_* over nodegate.config.yaml over defaults; unknown IDs are usage errors.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { resolveSettings } from '../../src/run/settings.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-settings-'));
  await writeFile(
    join(dir, 'nodegate.config.yaml'),
    'target: ssh://root@10.250.0.10\nnode: from-config\njunit: out/config.xml\nonly: [HOST-1.1.1]\nprofile:\n  node:\n    name: ignored-by-node-setting\n',
  );
});

describe('settings', () => {
  test('with nothing given: the local node, the default profile, every check', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ng-settings-empty-'));
    const s = await resolveSettings({}, {}, empty);
    expect(s.nodes).toEqual([{ target: 'local', name: '' }]);
    expect(s.profileLayers).toEqual([]);
    expect(s.only).toEqual([]);
    expect(s.strict).toBe(false);
  });

  test('the config file in the working directory is read', async () => {
    const s = await resolveSettings({}, {}, dir);
    expect(s.nodes).toEqual([{ target: 'ssh://root@10.250.0.10', name: 'from-config' }]);
    expect(s.junitFile).toBe(join(dir, 'out/config.xml'));
    expect(s.only).toEqual(['HOST-1.1.1']);
    expect(s.profileLayers).toHaveLength(1);
  });

  test('environment beats the config file, flags beat the environment', async () => {
    const env = { NODEGATE_TARGET: 'local', NODEGATE_NODE: 'from-env', NODEGATE_ONLY: 'RT-2.3.1,RT-2.3.2', NODEGATE_STRICT: 'true' };
    const fromEnv = await resolveSettings({}, env, dir);
    expect(fromEnv.nodes).toEqual([{ target: 'local', name: 'from-env' }]);
    expect(fromEnv.only).toEqual(['RT-2.3.1', 'RT-2.3.2']);
    expect(fromEnv.strict).toBe(true);
    const fromFlags = await resolveSettings({ target: ['ssh://a@h:2222'], node: ['flag-node'], only: 'HOST-1.2.2' }, env, dir);
    expect(fromFlags.nodes).toEqual([{ target: 'ssh://a@h:2222', name: 'flag-node' }]);
    expect(fromFlags.only).toEqual(['HOST-1.2.2']);
  });

  test('an unknown check ID in --only is a usage error naming it', async () => {
    await expect(resolveSettings({ only: 'HOST-1.2.2,HOST-9.9.9' }, {}, dir)).rejects.toThrow(UsageError);
    await expect(resolveSettings({ only: 'HOST-9.9.9' }, {}, dir)).rejects.toThrow(/--only: unknown check ID "HOST-9\.9\.9"/);
  });

  test('a prefix selects every check under it', async () => {
    const s = await resolveSettings({ only: 'RT-2.3', skip: 'KUBELET' }, {}, dir);
    expect(s.only).toEqual(['RT-2.3.1', 'RT-2.3.2', 'RT-2.3.3']);
    expect(s.skip.length).toBeGreaterThan(20);
    expect(s.skip.every((id) => id.startsWith('KUBELET-'))).toBe(true);
    await expect(resolveSettings({ only: 'RT-2.3.' }, {}, dir)).rejects.toThrow(/unknown check ID "RT-2\.3\."/);
    await expect(resolveSettings({ only: 'HOS' }, {}, dir)).rejects.toThrow(/unknown check ID "HOS"/);
  });

  test('an unknown config key is named with its file', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'ng-settings-bad-'));
    await writeFile(join(bad, 'nodegate.config.yaml'), 'tagret: local\n');
    await expect(resolveSettings({}, {}, bad)).rejects.toThrow(/nodegate\.config\.yaml: field "\(top level\)"/);
  });

  test('--snapshot cannot be combined with a target, a node name or --save-snapshot, from any source', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ng-settings-snap-'));
    const refused = (flags: Parameters<typeof resolveSettings>[0], env: NodeJS.ProcessEnv, cwd: string) =>
      expect(resolveSettings(flags, env, cwd)).rejects.toThrow(UsageError);
    await refused({ snapshot: 'x.json', target: ['local'] }, {}, empty);
    await expect(resolveSettings({ snapshot: 'x.json', node: ['w'] }, {}, empty)).rejects.toThrow(/cannot be combined with --node$/);
    await expect(resolveSettings({ snapshot: 'x.json', saveSnapshot: 'y.json' }, {}, empty)).rejects.toThrow(/cannot be combined with --save-snapshot$/);
    await expect(resolveSettings({}, { NODEGATE_SNAPSHOT: 'x.json', NODEGATE_SAVE_SNAPSHOT: 'y.json' }, empty)).rejects.toThrow(/NODEGATE_SAVE_SNAPSHOT$/);
    // The config in `dir` names a target and a node: a replay there names both sources.
    await expect(resolveSettings({ snapshot: 'x.json' }, {}, dir)).rejects.toThrow(/cannot be combined with "target" in .*nodegate\.config\.yaml, "node" in .*nodegate\.config\.yaml$/);
    const ok = await resolveSettings({ snapshot: 'x.json' }, {}, empty);
    expect(ok.nodes).toEqual([]);
    expect(ok.snapshot).toBe(join(empty, 'x.json'));
  });

  test('nodes: [] in the config file is a usage error: an audit of no node proves nothing', async () => {
    const none = await mkdtemp(join(tmpdir(), 'ng-settings-none-'));
    await writeFile(join(none, 'nodegate.config.yaml'), 'nodes: []\n');
    await expect(resolveSettings({}, {}, none)).rejects.toThrow(/nodegate\.config\.yaml: field "nodes": lists no node/);
  });

  test('timeouts and concurrency: flag over variable over config key over default', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ng-settings-t-'));
    const d = await resolveSettings({}, {}, empty);
    expect([d.connectTimeoutMs, d.commandTimeoutMs, d.concurrency]).toEqual([10_000, 60_000, 32]);
    const cfg = await mkdtemp(join(tmpdir(), 'ng-settings-tc-'));
    await writeFile(join(cfg, 'nodegate.config.yaml'), 'connectTimeoutSeconds: 4\ncommandTimeoutSeconds: 90\nconcurrency: 5\n');
    const c = await resolveSettings({}, {}, cfg);
    expect([c.connectTimeoutMs, c.commandTimeoutMs, c.concurrency]).toEqual([4000, 90_000, 5]);
    const env = { NODEGATE_CONNECT_TIMEOUT: '2.5', NODEGATE_COMMAND_TIMEOUT: '30', NODEGATE_CONCURRENCY: '3' };
    const e = await resolveSettings({}, env, cfg);
    expect([e.connectTimeoutMs, e.commandTimeoutMs, e.concurrency]).toEqual([2500, 30_000, 3]);
    const f = await resolveSettings({ connectTimeout: '1', commandTimeout: '7', concurrency: '2' }, env, cfg);
    expect([f.connectTimeoutMs, f.commandTimeoutMs, f.concurrency]).toEqual([1000, 7000, 2]);
  });

  test('a bad timeout or concurrency is a usage error naming where it came from', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ng-settings-bt-'));
    await expect(resolveSettings({ connectTimeout: 'ten' }, {}, empty)).rejects.toThrow('--connect-timeout: "ten" is not a positive number of seconds');
    await expect(resolveSettings({}, { NODEGATE_COMMAND_TIMEOUT: '0' }, empty)).rejects.toThrow('NODEGATE_COMMAND_TIMEOUT: "0" is not a positive number of seconds');
    await expect(resolveSettings({ concurrency: '2.5' }, {}, empty)).rejects.toThrow('--concurrency: "2.5" is not a whole number of at least 1');
    await writeFile(join(empty, 'nodegate.config.yaml'), 'concurrency: 0\n');
    await expect(resolveSettings({}, {}, empty)).rejects.toThrow(/nodegate\.config\.yaml: field "concurrency"/);
  });

  test('several targets pair with their node names in order', async () => {
    const s = await resolveSettings({ target: ['ssh://root@10.250.0.10', 'ssh://root@10.250.0.11'], node: ['a', 'b'] }, {}, dir);
    expect(s.nodes).toEqual([
      { target: 'ssh://root@10.250.0.10', name: 'a' },
      { target: 'ssh://root@10.250.0.11', name: 'b' },
    ]);
  });
});
