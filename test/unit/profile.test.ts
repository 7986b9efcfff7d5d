// Profile loading: defaults from the catalog, YAML overrides merged, and errors that name the file and field.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { buildProfile, readProfileOverrides } from '../../src/profile/load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-profile-'));
});

async function layer(name: string, text: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  return { file, data: await readProfileOverrides(file) };
}

describe('profile', () => {
  test('the built-in profile is the guide: worker-01, its hosts, socket 0660 root:root, the CVE floors', () => {
    const p = buildProfile([]);
    expect(p.node.name).toBe('worker-01');
    expect(p.hosts).toEqual([
      { ip: '10.0.0.10', names: ['control-plane'] },
      { ip: '10.0.0.20', names: ['worker-01'] },
    ]);
    expect(p.containerd.socket).toEqual({ path: '/run/containerd/containerd.sock', mode: '0660', uid: 0, gid: 0 });
    expect(p.containerd.versionFloors).toEqual({ '1.7': '1.7.29', '2.0': '2.0.7', '2.1': '2.1.5', '2.2': '2.2.0' });
    expect(p.runc.versionFloors).toEqual({ '1.2': '1.2.8', '1.3': '1.3.3' });
    expect(p.sysctls['net.ipv4.ip_forward']).toBe('1');
  });

  test('overrides merge objects key by key and replace lists', async () => {
    const l = await layer('o.yaml', 'containerd:\n  socket:\n    gid: 1001\nmodules: [overlay]\nsysctls:\n  net.ipv4.ip_forward: 1\n');
    const p = buildProfile([l]);
    expect(p.containerd.socket).toEqual({ path: '/run/containerd/containerd.sock', mode: '0660', uid: 0, gid: 1001 });
    expect(p.modules).toEqual(['overlay']);
    expect(p.sysctls['net.ipv4.ip_forward']).toBe('1');
    expect(p.sysctls['net.bridge.bridge-nf-call-iptables']).toBe('1');
  });

  test('a config file with a profile: key contributes only that key', async () => {
    const l = await layer('nodegate.config.yaml', 'target: local\nprofile:\n  node:\n    name: worker-07\n');
    expect(buildProfile([l]).node.name).toBe('worker-07');
  });

  test('an invalid field is named with its file', async () => {
    const l = await layer('bad-mode.yaml', 'containerd:\n  socket:\n    mode: rw-rw----\n');
    expect(() => buildProfile([l])).toThrow(UsageError);
    expect(() => buildProfile([l])).toThrow(/bad-mode\.yaml: profile field "containerd\.socket\.mode": an octal mode/);
  });

  test('an unknown field is refused, not ignored', async () => {
    const l = await layer('typo.yaml', 'kernal:\n  minimum: "5.15"\n');
    expect(() => buildProfile([l])).toThrow(/typo\.yaml: profile field "\(top level\)": .*kernal/);
  });

  test('YAML that does not parse names the file, line and column', async () => {
    await writeFile(join(dir, 'broken.yaml'), 'node:\n  name: [worker-01\n');
    await expect(readProfileOverrides(join(dir, 'broken.yaml'))).rejects.toThrow(/broken\.yaml:\d+:\d+: not valid YAML/);
  });

  test('a duplicate key is an error, not a silent last-wins', async () => {
    await writeFile(join(dir, 'dup.yaml'), 'node:\n  name: a\nnode:\n  name: b\n');
    await expect(readProfileOverrides(join(dir, 'dup.yaml'))).rejects.toThrow(/dup\.yaml:3:1: not valid YAML/);
  });

  test('the first layer that breaks the profile is the one named', async () => {
    const bad = await layer('first.yaml', 'kernel:\n  minimum: five\n');
    const good = await layer('second.yaml', 'node:\n  name: w\n');
    expect(() => buildProfile([bad, good])).toThrow(/first\.yaml: profile field "kernel\.minimum"/);
  });
});
