// observeNodes reads containerd's `imports` from the config at the profile's path, not only at the default
// /etc/containerd/config.toml: the second probe round is built with the node's own profile.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildProfile } from '../../src/profile/load.ts';
import { observeNodes, type ReadCluster } from '../../src/run/observe.ts';
import { resolveSettings } from '../../src/run/settings.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

// No cluster in this test: the node side alone is under test.
const noCluster: ReadCluster = async () => ({ kind: 'none', reason: 'no cluster in this test' });

describe('observeNodes: containerd imports at a custom config path', () => {
  test('an import named by a config at profile containerd.configPath is read in the second round', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ng-ctd-path-'));
    dirs.push(dir);
    const main = join(dir, 'etc', 'config.toml');
    const imported = join(dir, 'conf.d', '10-cri.toml');
    await mkdir(join(dir, 'etc'));
    await mkdir(join(dir, 'conf.d'));
    await writeFile(main, `version = 2\nimports = ["${imported}", "${dir}/conf.d/20-*.toml"]\n`);
    await writeFile(imported, '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n');
    await writeFile(join(dir, 'conf.d', '20-gc.toml'), '[plugins."io.containerd.gc.v1.scheduler"]\n  pause_threshold = 0.03\n');
    const profile = buildProfile([{ file: 'test', data: { containerd: { configPath: main } } }]);
    const settings = await resolveSettings({ target: ['local'], node: ['ctd-node'] }, {}, dir);

    const [o] = await observeNodes(settings, profile, undefined, noCluster);
    if (!o || !('facts' in o)) throw new Error(`the local node was not observed: ${JSON.stringify(o)}`);
    expect(o.facts.files[main]?.state).toBe('present');
    // The absolute import is a file request of round two; without the profile it would never be asked for.
    const got = o.facts.files[imported];
    expect(got?.state).toBe('present');
    expect(got?.state === 'present' ? got.content : undefined).toContain('SystemdCgroup = true');
    // The glob import lists its directory, so the probe can match it the way containerd does.
    expect(Object.keys(o.facts.dirs)).toContain(join(dir, 'conf.d'));
  }, 60_000);
});
