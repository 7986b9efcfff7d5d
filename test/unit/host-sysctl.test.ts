// HOST-1.4.x evaluators: runtime sysctls, what sysctl --system leaves at boot, and protectKernelDefaults' keys.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { persistedValue, sysctlSystemPlan } from '../../src/evaluate/host/sysctl-system.ts';
import { parseSysctlSystemOutput } from '../../src/parse/sysctl.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, directory, drift, file, missing, sysctl } from '../support/facts.ts';
import type { DirFact, FileFact, NodeFacts } from '../../src/facts/types.ts';

const profile = profileSchema.parse(defaultProfile);
const run = (id: string, facts: NodeFacts, p = profile) => {
  const e = hostEvaluators[id];
  if (!e) throw new Error(`no evaluator for ${id}`);
  return e(facts, p);
};
const base = compliantFacts();
const dir = (...entries: string[]): DirFact => ({ state: 'present', entries });
/** What the probe records for a symlink: stat -L of the target, readlink's text, the target's content. */
const symlinkTo = (target: string, content?: string): FileFact =>
  content === undefined
    ? { state: 'present', type: 'other', mode: 0o666, uid: 0, gid: 0, size: 0, linkTarget: target }
    : { state: 'present', type: 'file', mode: 0o644, uid: 0, gid: 0, size: Buffer.byteLength(content), content, linkTarget: target };

describe('HOST-1.4.1–1.4.3 runtime', () => {
  it('pass on the compliant node with the /proc/sys path as source', () => {
    expect(run('HOST-1.4.1', base)).toMatchObject({ status: 'pass', source: '/proc/sys/net/bridge/bridge-nf-call-iptables', actual: 'net.bridge.bridge-nf-call-iptables = 1' });
    expect(run('HOST-1.4.2', base).status).toBe('pass');
    expect(run('HOST-1.4.3', base)).toMatchObject({ status: 'pass', source: '/proc/sys/net/ipv4/ip_forward' });
  });
  it('fail a wrong value with the sysctl -w fix', () => {
    const v = run('HOST-1.4.3', drift(base, { sysctls: { 'net.ipv4.ip_forward': sysctl('0') } }));
    expect(v).toMatchObject({ status: 'fail', expected: 'net.ipv4.ip_forward = 1', actual: 'net.ipv4.ip_forward = 0' });
    expect(v.message).toContain('sysctl -w net.ipv4.ip_forward=1');
    expect(run('HOST-1.4.2', drift(base, { sysctls: { 'net.bridge.bridge-nf-call-ip6tables': sysctl('0') } })).status).toBe('fail');
  });
  it('compare as integers', () => {
    expect(run('HOST-1.4.3', drift(base, { sysctls: { 'net.ipv4.ip_forward': sysctl('01') } })).status).toBe('pass');
  });
  it('are an error naming br_netfilter when net.bridge keys are absent', () => {
    const v = run('HOST-1.4.1', drift(base, { sysctls: { 'net.bridge.bridge-nf-call-iptables': { state: 'missing' } }, files: { '/proc/sys/net/bridge': missing } }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('net.bridge.* keys are absent (/proc/sys/net/bridge does not exist): br_netfilter is not loaded');
  });
  it('skip a key the profile does not list', () => {
    const p = profileSchema.parse({ ...defaultProfile, sysctls: { 'net.ipv4.ip_forward': 1 } });
    expect(run('HOST-1.4.1', base, p).status).toBe('skip');
  });
});

describe('HOST-1.4.4 persisted', () => {
  it('passes the compliant node and names the winning file and line', () => {
    const v = run('HOST-1.4.4', base);
    expect(v.status).toBe('pass');
    expect(v.actual).toContain('net.ipv4.ip_forward = 1 (/etc/sysctl.d/k8s.conf line 3)');
    expect(v.source).toBe('/etc/sysctl.d/k8s.conf');
  });
  it('fails when /etc/sysctl.conf (applied last) overrides k8s.conf, naming both', () => {
    const v = run('HOST-1.4.4', drift(base, { files: { '/etc/sysctl.conf': file('# local\nnet.ipv4.ip_forward = 0\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/etc/sysctl.conf line 2 sets 0 and overrides /etc/sysctl.d/k8s.conf line 3 which sets 1');
  });
  it('fails when a file later in lexical order overrides, whatever its directory', () => {
    const v = run(
      'HOST-1.4.4',
      drift(base, {
        files: { '/usr/lib/sysctl.d/zz-vendor.conf': file('net/bridge/bridge-nf-call-iptables=0\n') },
        dirs: { '/usr/lib/sysctl.d': dir('zz-vendor.conf') },
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.message).toContain('net.bridge.bridge-nf-call-iptables: /usr/lib/sysctl.d/zz-vendor.conf line 1 sets 0 and overrides /etc/sysctl.d/k8s.conf line 1');
  });
  it('lets an /etc file shadow a same-named vendor file, and says so when the hidden one was right', () => {
    const facts = drift(base, {
      files: {
        '/etc/sysctl.d/k8s.conf': file('net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\n'),
        '/usr/lib/sysctl.d/k8s.conf': file('net.ipv4.ip_forward = 1\n'),
      },
      dirs: { '/usr/lib/sysctl.d': dir('k8s.conf') },
    });
    const v = run('HOST-1.4.4', facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('net.ipv4.ip_forward: no file applied by sysctl --system sets it');
    expect(v.message).toContain('/usr/lib/sysctl.d/k8s.conf line 1 sets it to 1 but is hidden by /etc/sysctl.d/k8s.conf');
  });
  it('follows the Debian 99-sysctl.conf symlink and a /dev/null mask', () => {
    const facts = drift(base, {
      files: {
        '/etc/sysctl.d/99-sysctl.conf': symlinkTo('../sysctl.conf', '# empty\n'),
        '/etc/sysctl.d/k8s.conf': symlinkTo('/dev/null'),
        '/usr/lib/sysctl.d/k8s.conf': file('net.ipv4.ip_forward = 1\n'),
      },
      dirs: { '/etc/sysctl.d': dir('90-kubelet.conf', '99-sysctl.conf', 'k8s.conf'), '/usr/lib/sysctl.d': dir('k8s.conf') },
    });
    const plan = sysctlSystemPlan(facts);
    expect(plan.applied.map((a) => a.display)).toEqual([
      '/etc/sysctl.d/90-kubelet.conf',
      '/etc/sysctl.d/99-sysctl.conf (→ ../sysctl.conf)',
      '/etc/sysctl.d/k8s.conf (→ /dev/null)',
      '/etc/sysctl.conf',
    ]);
    const v = run('HOST-1.4.4', facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('hidden by /etc/sysctl.d/k8s.conf');
  });
  it('uses procps glob rules: an explicit key anywhere beats a glob, a -pattern excludes', () => {
    const facts = drift(base, {
      files: {
        '/etc/sysctl.d/zz-globs.conf': file('net.bridge.* = 0\n-net.ipv4.ip_*\nnet.ipv4.* = 0\n'),
        '/etc/sysctl.d/k8s.conf': file('net.bridge.bridge-nf-call-iptables = 1\n'),
      },
      dirs: { '/etc/sysctl.d': dir('90-kubelet.conf', 'k8s.conf', 'zz-globs.conf') },
    });
    const plan = sysctlSystemPlan(facts);
    expect(persistedValue(plan, 'net.bridge.bridge-nf-call-iptables').value).toBe('1');
    expect(persistedValue(plan, 'net.bridge.bridge-nf-call-ip6tables')).toMatchObject({ value: '0' });
    expect(persistedValue(plan, 'net.ipv4.ip_forward')).toMatchObject({ value: null, excludedBy: { setting: { line: 2 } } });
    const v = run('HOST-1.4.4', facts);
    expect(v.message).toContain('net.bridge.bridge-nf-call-ip6tables: /etc/sysctl.d/zz-globs.conf line 1 sets 0');
    expect(v.message).toContain('/etc/sysctl.d/zz-globs.conf line 2 excludes it from glob settings');
  });
  it('is an error when a file in the search path is unreadable', () => {
    const v = run('HOST-1.4.4', drift(base, { files: { '/etc/sysctl.d/k8s.conf': { state: 'unreadable', error: 'Permission denied' } } }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('/etc/sysctl.d/k8s.conf is unreadable: Permission denied');
  });
});

describe('HOST-1.4.5 kernel defaults', () => {
  it('passes the compliant node', () => {
    expect(run('HOST-1.4.5', base).status).toBe('pass');
  });
  it('skips when protectKernelDefaults is off, saying why', () => {
    const p = profileSchema.parse({ ...defaultProfile, kubelet: { protectKernelDefaults: false } });
    const v = run('HOST-1.4.5', base, p);
    expect(v.status).toBe('skip');
    expect(v.message).toContain('protectKernelDefaults to false');
  });
  it('lists every wrong key, runtime and persisted', () => {
    const facts = drift(base, {
      sysctls: { 'vm.overcommit_memory': sysctl('0'), 'kernel.panic': sysctl('0') },
      files: { '/etc/sysctl.d/90-kubelet.conf': file('vm.overcommit_memory = 1\nvm.panic_on_oom = 0\nkernel.panic = 10\nkernel.panic_on_oops = 1\nkernel.keys.root_maxkeys = 1000000\n') },
    });
    const v = run('HOST-1.4.5', facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('vm.overcommit_memory is 0 now, not 1');
    expect(v.message).toContain('kernel.panic is 0 now, not 10');
    expect(v.message).toContain('no file applied by sysctl --system sets kernel.keys.root_maxbytes, so it keeps the kernel default at boot');
    expect(v.message).toContain('"kernel.keys.root_maxbytes = 25000000"');
    expect(v.message).toContain('the kubelet refuses to start');
    expect(v.message).not.toContain('vm.panic_on_oom is');
  });
  it('is an error when a runtime key cannot be read', () => {
    const v = run('HOST-1.4.5', drift(base, { sysctls: { 'kernel.keys.root_maxkeys': { state: 'unreadable', error: 'EPERM' } } }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('/proc/sys/kernel/keys/root_maxkeys is unreadable: EPERM');
  });
});

const artifacts = fileURLToPath(new URL('../../fixtures/artifacts/host-os/', import.meta.url));
const art = (name: string): string => readFileSync(`${artifacts}${name}`, 'utf8');

describe.skipIf(!existsSync(artifacts))('Debian 12 stock sysctl files against procps\' own dry run (skipped: fixtures/artifacts/host-os is absent)', () => {
  // The listing shows merged /usr: /lib/sysctl.d is /usr/lib/sysctl.d, so its files appear twice and must shadow.
  const debian = drift(base, {
    files: {
      '/etc/sysctl.d/99-sysctl.conf': symlinkTo('../sysctl.conf', art('debian12-etc-sysctl.conf')),
      '/etc/sysctl.conf': file(art('debian12-etc-sysctl.conf')),
      '/usr/lib/sysctl.d/50-pid-max.conf': file(art('debian12-usr-lib-sysctl.d-50-pid-max.conf')),
      '/usr/lib/sysctl.d/99-protect-links.conf': file(art('debian12-usr-lib-sysctl.d-99-protect-links.conf')),
      '/lib/sysctl.d/50-pid-max.conf': file(art('debian12-usr-lib-sysctl.d-50-pid-max.conf')),
      '/lib/sysctl.d/99-protect-links.conf': file(art('debian12-usr-lib-sysctl.d-99-protect-links.conf')),
    },
    dirs: {
      '/etc/sysctl.d': dir('99-sysctl.conf'),
      '/usr/lib/sysctl.d': dir('50-pid-max.conf', '99-protect-links.conf'),
      '/lib/sysctl.d': dir('50-pid-max.conf', '99-protect-links.conf'),
    },
  });
  const dry = parseSysctlSystemOutput(art('debian12-sysctl-dry-run-system.txt'));
  const plan = sysctlSystemPlan(debian);

  it('applies the same files in the same order', () => {
    expect(plan.applied.map((a) => a.path)).toEqual(dry.applied);
  });
  it('leaves every key at the value procps printed last for it', () => {
    for (const a of dry.assignments) expect(persistedValue(plan, a.key).value).toBe(a.value);
  });
  it('fails HOST-1.4.4 on a stock Debian node: nothing persists the Kubernetes sysctls', () => {
    const v = run('HOST-1.4.4', debian);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('3 of 3 sysctls would be wrong after reboot');
    expect(v.message).toContain('no file applied by sysctl --system sets net.bridge.bridge-nf-call-iptables, net.bridge.bridge-nf-call-ip6tables, net.ipv4.ip_forward');
    expect(v.message).toContain('"net.ipv4.ip_forward = 1"');
  });
});

describe.skipIf(!existsSync(artifacts))('Ubuntu 24.04 sysctl --system order (skipped: fixtures/artifacts/host-os is absent)', () => {
  it('reproduces the order of the real output from the file names alone', () => {
    const dry = parseSysctlSystemOutput(art('ubuntu-24.04-kubeadm-1.36-node-sysctl-system-output.txt'));
    const byDir = new Map<string, string[]>();
    for (const p of dry.applied.slice(0, -1)) {
      const d = p.slice(0, p.lastIndexOf('/'));
      byDir.set(d, [...(byDir.get(d) ?? []), p.slice(p.lastIndexOf('/') + 1)]);
    }
    const files: Record<string, FileFact> = {};
    for (const p of dry.applied) files[p] = file('');
    // Directory listings come in readdir order, not sorted: reverse them to prove the sort is ours.
    const dirs: Record<string, DirFact> = Object.fromEntries([...byDir].map(([d, names]) => [d, dir(...[...names].reverse())]));
    const facts = drift(base, { files: { ...files, '/etc/sysctl.d/90-kubelet.conf': missing }, dirs: { '/etc/sysctl.d': dir(), '/usr/lib/sysctl.d': dir(), ...dirs } });
    expect(sysctlSystemPlan(facts).applied.map((a) => a.path)).toEqual(dry.applied);
  });
});

it('HOST-1.4.x source of a missing bridge dir uses the stat fact', () => {
  const v = run('HOST-1.4.2', drift(base, { sysctls: { 'net.bridge.bridge-nf-call-ip6tables': { state: 'missing' } }, files: { '/proc/sys/net/bridge': directory() } }));
  expect(v.message).toContain('/proc/sys/net/bridge/bridge-nf-call-ip6tables does not exist');
});
