// Profile loading: defaults from the catalog, YAML overrides merged, and errors that name the file and field.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { nodeRequests } from '../../src/facts/node-requests.ts';
import { compileProbe } from '../../src/facts/probe-script.ts';
import { buildProfile, readProfileOverrides } from '../../src/profile/load.ts';
import { normaliseSysctlKey } from '../../src/profile/schema.ts';

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

  test('the cluster part: the fragment\'s defaults, a partial override keeps the rest, a bad value names its field', async () => {
    const p = buildProfile([]);
    expect(p.cluster.workloadNamespaces).toEqual(['flask-apps', 'django-app', 'fastapi-app']);
    expect(p.cluster.allocatable).toEqual({ memory: '14Gi', memoryTolerance: '0.5Gi', cpu: '3300m', cpuTolerance: '0', apiTolerance: '1%' });
    expect(p.cluster.images.stress).toBe('polinux/stress:1.0.4');
    const small = await layer('small-node.yaml', 'cluster:\n  allocatable:\n    memory: 1200Mi\n  images:\n    shell: registry.local/busybox:1.36\n');
    const q = buildProfile([small]);
    expect(q.cluster.allocatable).toEqual({ memory: '1200Mi', memoryTolerance: '0.5Gi', cpu: '3300m', cpuTolerance: '0', apiTolerance: '1%' });
    expect(q.cluster.images).toEqual({ web: 'nginx:1.25-alpine', shell: 'registry.local/busybox:1.36', stress: 'polinux/stress:1.0.4' });
    const bad = await layer('bad-tolerance.yaml', 'cluster:\n  allocatable:\n    memoryTolerance: lots\n');
    expect(() => buildProfile([bad])).toThrow(/bad-tolerance\.yaml: profile field "cluster\.allocatable\.memoryTolerance": a quantity such as "0\.5Gi"/);
  });

  test('the probe reads the node\'s capacity for the allocatable arithmetic, at the profile\'s kubelet root', async () => {
    const l = await layer('root.yaml', 'cluster:\n  kubeletRootDir: /data/kubelet\n');
    const requests = nodeRequests(buildProfile([l]));
    expect(requests).toEqual(expect.arrayContaining([
      { kind: 'file', path: '/proc/meminfo' },
      { kind: 'file', path: '/sys/devices/system/cpu/online' },
      expect.objectContaining({ kind: 'command', argv: ['stat', '-f', '-c', '%S %b', '/data/kubelet'] }),
    ]));
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

  // procps-ng sysctl.c, slashdot(): the first of '.' or '/' in a key decides its notation, and the other character
  // is then part of a name (man sysctl(8): "variable ... can use either '/' or '.' as separators").
  test('sysctl keys: dotted and slashed forms are one key, in dotted form', () => {
    expect(normaliseSysctlKey('net.ipv4.ip_forward')).toEqual({ ok: true, key: 'net.ipv4.ip_forward' });
    expect(normaliseSysctlKey('net/ipv4/ip_forward')).toEqual({ ok: true, key: 'net.ipv4.ip_forward' });
    expect(normaliseSysctlKey('net/bridge/bridge-nf-call-iptables')).toEqual({ ok: true, key: 'net.bridge.bridge-nf-call-iptables' });
    expect(normaliseSysctlKey('kernel.panic_on_oops')).toEqual({ ok: true, key: 'kernel.panic_on_oops' });
  });

  test('sysctl keys: a dot inside a name (VLAN interface), a glob, an empty part or one word are refused by name', () => {
    const slashed = normaliseSysctlKey('net/ipv4/conf/eth0.100/rp_filter');
    expect(slashed).toEqual({ ok: false, reason: expect.stringContaining('names "eth0.100", a component with a dot in it') });
    // The same key in dotted notation writes the name's dot as '/'.
    expect(normaliseSysctlKey('net.ipv4.conf.eth0/100.rp_filter')).toEqual(slashed);
    for (const bad of ['net.ipv4.conf.*.rp_filter', 'net..ipv4', '.net.ipv4', 'net.ipv4.', 'swappiness', 'net.ipv4.ip forward', '']) {
      expect(normaliseSysctlKey(bad), bad).toMatchObject({ ok: false, reason: expect.stringContaining('is not a sysctl key') });
    }
  });

  test('a slashed override replaces the dotted default, and the probe compiles (it threw before)', async () => {
    const l = await layer('slashed.yaml', 'sysctls:\n  net/ipv4/ip_forward: 0\nkernelDefaults:\n  vm/overcommit_memory: 1\n');
    const p = buildProfile([l]);
    expect(p.sysctls['net.ipv4.ip_forward']).toBe('0');
    expect(Object.keys(p.sysctls).filter((k) => k.includes('ip_forward'))).toEqual(['net.ipv4.ip_forward']);
    expect(p.kernelDefaults['vm.overcommit_memory']).toBe('1');
    expect(() => compileProbe(nodeRequests(p), 'abcdefgh12')).not.toThrow();
    // The crash this replaces: the raw slashed key reaching the probe compiler.
    const raw = { ...p, sysctls: { 'net/ipv4/ip_forward': '1' } };
    expect(() => compileProbe(nodeRequests(raw), 'abcdefgh12')).toThrow(/not a sysctl key: net\/ipv4\/ip_forward/);
  });

  test('a bad sysctl key is a schema error naming the file and key, and so is one key spelled twice', async () => {
    const vlan = await layer('vlan.yaml', 'sysctls:\n  net/ipv4/conf/eth0.100/rp_filter: 1\n');
    expect(() => buildProfile([vlan])).toThrow(UsageError);
    expect(() => buildProfile([vlan])).toThrow(/vlan\.yaml: profile field "sysctls\.net\/ipv4\/conf\/eth0\.100\/rp_filter": sysctl key .* a component with a dot/);
    const twice = await layer('twice.yaml', 'sysctls:\n  net/ipv4/ip_forward: 1\n  net.ipv4.ip_forward: 0\n');
    expect(() => buildProfile([twice])).toThrow(/twice\.yaml: profile field "sysctls\.net\/ipv4\/ip_forward": sysctl key "net\/ipv4\/ip_forward" is "net\.ipv4\.ip_forward" again/);
  });
});
