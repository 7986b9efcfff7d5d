// HOST-1.4.4: two sysctl names of one kernel variable are one setting when deciding what sysctl --system leaves.
import { describe, expect, it } from 'vitest';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { aliasGroup } from '../../src/evaluate/host/sysctl-aliases.ts';
import { bootKernelValue } from '../../src/evaluate/host/sysctl-boot.ts';
import { persistedKernelValue, persistedValue, sysctlSystemPlan } from '../../src/evaluate/host/sysctl-system.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, drift, file } from '../support/facts.ts';
import type { NodeFacts } from '../../src/facts/types.ts';

const profile = profileSchema.parse(defaultProfile);
const run = (facts: NodeFacts) => {
  const e = hostEvaluators['HOST-1.4.4'];
  if (!e) throw new Error('no evaluator for HOST-1.4.4');
  return e(facts, profile);
};
const base = compliantFacts();
const k8s = 'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\n';
/** /etc/sysctl.d holding k8s.conf (the bridge keys plus `forward`) and `extra` as 99-extra.conf. */
const node = (forward: string, extra: string, extraName = '99-extra.conf') =>
  drift(base, {
    files: { '/etc/sysctl.d/k8s.conf': file(`${k8s}${forward}`), [`/etc/sysctl.d/${extraName}`]: file(extra) },
    dirs: { '/etc/sysctl.d': { state: 'present', entries: ['90-kubelet.conf', extraName, 'k8s.conf'] } },
  });

describe('sysctl alias table', () => {
  // torvalds/linux net/ipv4/devinet.c: ctl_forward_entry[] "ip_forward" .data = &ipv4_devconf.data[
  // IPV4_DEVCONF_FORWARDING - 1] — the "all" devconf's forwarding, which conf/all/forwarding also points at.
  // net/netfilter/nf_conntrack_standalone.c: net.nf_conntrack_max and net.netfilter.nf_conntrack_max share
  // .data = &nf_conntrack_max.
  it('groups the names of one variable and nothing else', () => {
    expect(aliasGroup('net/ipv4/conf/all/forwarding').paths).toEqual(['net/ipv4/conf/all/forwarding', 'net/ipv4/ip_forward']);
    expect(aliasGroup('net/nf_conntrack_max').paths).toEqual(['net/nf_conntrack_max', 'net/netfilter/nf_conntrack_max']);
    // default.forwarding is its own variable (inet_forward_change only copies into it when "all" changes).
    expect(aliasGroup('net/ipv4/conf/default/forwarding').paths).toEqual(['net/ipv4/conf/default/forwarding']);
    // IPv6 has no second name for all.forwarding; bridge-nf-call-* are plain brnf_net fields.
    expect(aliasGroup('net/ipv6/conf/all/forwarding').alias).toBeUndefined();
    expect(aliasGroup('net/bridge/bridge-nf-call-iptables').alias).toBeUndefined();
  });
});

describe('HOST-1.4.4 through an alias (test/vm/host-fidelity-vm.test.ts runs the real sysctl --system on these)', () => {
  it('fails when a later file turns net.ipv4.conf.all.forwarding off after k8s.conf set ip_forward', () => {
    // Files apply in lexical order of name (strcmp): k8s.conf, then zz-router.conf.
    const facts = node('net.ipv4.ip_forward = 1\n', 'net.ipv4.conf.all.forwarding = 0\n', 'zz-router.conf');
    const plan = sysctlSystemPlan(facts);
    // What procps prints for each name is unchanged; the variable ends at the last write to either name.
    expect(persistedValue(plan, 'net.ipv4.ip_forward').value).toBe('1');
    expect(persistedKernelValue(plan, 'net.ipv4.ip_forward')).toMatchObject({ value: '0', winner: { file: '/etc/sysctl.d/zz-router.conf' } });
    const v = run(facts);
    expect(v.status).toBe('fail');
    expect(v.actual).toContain('net.ipv4.ip_forward = 0 (/etc/sysctl.d/zz-router.conf line 1 via net.ipv4.conf.all.forwarding)');
    expect(v.message).toContain(
      '/etc/sysctl.d/zz-router.conf line 1, net.ipv4.conf.all.forwarding (the same kernel variable as net.ipv4.ip_forward), sets 0 and overrides /etc/sysctl.d/k8s.conf line 3 which sets 1',
    );
    expect(v.message).toContain('net/ipv4/devinet.c');
  });
  it('passes when k8s.conf (applied later) sets ip_forward after an earlier file turned all.forwarding off', () => {
    const v = run(node('net.ipv4.ip_forward = 1\n', 'net.ipv4.conf.all.forwarding = 0\n', '10-router.conf'));
    expect(v.status).toBe('pass');
    expect(v.actual).toContain('net.ipv4.ip_forward = 1 (/etc/sysctl.d/k8s.conf line 3)');
  });
  it('passes when only the other name is set, and says so', () => {
    const v = run(node('net.ipv4.conf.all.forwarding = 1\n', '# nothing\n'));
    expect(v.status).toBe('pass');
    expect(v.actual).toContain('net.ipv4.ip_forward = 1 (/etc/sysctl.d/k8s.conf line 3 via net.ipv4.conf.all.forwarding)');
  });
  it('counts a glob over conf.*.forwarding as a write to ip_forward, in list order', () => {
    // procps write_setting_list(): nodes in list order; a glob writes every match that no line names explicitly.
    const facts = node('net.ipv4.ip_forward = 1\n', 'net.ipv4.conf.*.forwarding = 0\n', 'zz-router.conf');
    expect(persistedKernelValue(sysctlSystemPlan(facts), 'net.ipv4.ip_forward').value).toBe('0');
    expect(run(facts).status).toBe('fail');
  });
  it('does not count a glob whose match on all.forwarding is named explicitly elsewhere (settinglist_findpath)', () => {
    const facts = node('net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.forwarding = 1\n', 'net.ipv4.conf.*.forwarding = 0\n', 'zz-router.conf');
    expect(run(facts).status).toBe('pass');
  });
  it('does not count a glob excluded by a -pattern line', () => {
    const facts = node('net.ipv4.ip_forward = 1\n', '-net.ipv4.conf.all.forwarding\nnet.ipv4.conf.*.forwarding = 0\n', 'zz-router.conf');
    expect(run(facts).status).toBe('pass');
  });
  it('does not treat conf.default.forwarding as ip_forward', () => {
    const v = run(node('net.ipv4.ip_forward = 1\n', 'net.ipv4.conf.default.forwarding = 0\n', 'zz-router.conf'));
    expect(v.status).toBe('pass');
  });
  it('a hidden file that sets the alias right is named as hidden', () => {
    const facts = drift(node('', '# none\n'), {
      files: { '/usr/lib/sysctl.d/k8s.conf': file('net.ipv4.conf.all.forwarding = 1\n') },
      dirs: { '/usr/lib/sysctl.d': { state: 'present', entries: ['k8s.conf'] } },
    });
    const v = run(facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/usr/lib/sysctl.d/k8s.conf line 1 sets it to 1 but is hidden by /etc/sysctl.d/k8s.conf');
  });
});

describe('HOST-1.4.4 at boot: systemd-sysctl keeps a repeated same-value assignment where it first appeared', () => {
  // systemd src/sysctl/sysctl.c parse_file(): "existing = ordered_hashmap_get(...); if (existing) { if
  // (streq_ptr(value, existing->value)) { ...; continue; } ... ordered_hashmap_remove ... }" then ordered_hashmap_put
  // appends; apply_all() writes in map order. test/vm/host-fidelity-vm.test.ts runs the real systemd-sysctl.
  const facts = drift(base, {
    files: {
      '/etc/sysctl.d/10-k8s.conf': file(`${k8s}net.ipv4.ip_forward = 1\n`),
      '/etc/sysctl.d/50-router.conf': file('net.ipv4.conf.all.forwarding = 0\n'),
      '/etc/sysctl.d/99-fix.conf': file('net.ipv4.ip_forward = 1\n'),
    },
    dirs: { '/etc/sysctl.d': { state: 'present', entries: ['10-k8s.conf', '50-router.conf', '99-fix.conf', '90-kubelet.conf'] } },
  });
  it('sysctl --system ends at 1 but a boot ends at 0, and HOST-1.4.4 fails naming the boot order', () => {
    const plan = sysctlSystemPlan(facts);
    expect(persistedKernelValue(plan, 'net.ipv4.ip_forward').value).toBe('1');
    expect(bootKernelValue(plan, 'net.ipv4.ip_forward')).toMatchObject({ modelled: true, value: '0', winner: { file: '/etc/sysctl.d/50-router.conf' } });
    const v = run(facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('sysctl --system leaves 1, but at boot systemd-sysctl applies /etc/sysctl.d/50-router.conf line 1, net.ipv4.conf.all.forwarding');
    expect(v.message).toContain('/etc/sysctl.d/99-fix.conf line 1 repeating an earlier value does not move it');
  });
  it('passes where systemd is not PID 1 (sysctl --system is the boot path there)', () => {
    expect(run(drift(facts, { systemd: false })).status).toBe('pass');
  });
  it('a different value does move: "01" is not "1" to systemd-sysctl (streq), and the boot also ends at 1', () => {
    const moved = drift(facts, { files: { '/etc/sysctl.d/99-fix.conf': file('net.ipv4.ip_forward = 01\n') } });
    expect(bootKernelValue(sysctlSystemPlan(moved), 'net.ipv4.ip_forward')).toMatchObject({ value: '01' });
    expect(run(moved).status).toBe('pass');
  });
  it('is not modelled when a glob reaches one of the names, and then the sysctl --system answer stands', () => {
    const glob = drift(facts, { files: { '/etc/sysctl.d/99-fix.conf': file('net.ipv4.ip_forward = 1\nnet.ipv4.conf.*.forwarding = 1\n') } });
    expect(bootKernelValue(sysctlSystemPlan(glob), 'net.ipv4.ip_forward')).toMatchObject({ modelled: false });
    expect(run(glob).status).toBe('pass');
  });
  it('still models the names when an unrelated glob is present (systemd\'s own 50-default.conf has some)', () => {
    const glob = drift(facts, { files: { '/etc/sysctl.d/99-fix.conf': file('net.ipv4.ip_forward = 1\nnet.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n') } });
    expect(bootKernelValue(sysctlSystemPlan(glob), 'net.ipv4.ip_forward')).toMatchObject({ modelled: true, value: '0' });
    expect(run(glob).status).toBe('fail');
  });
  it('has nothing to say for a key without a second name', () => {
    expect(bootKernelValue(sysctlSystemPlan(facts), 'net.bridge.bridge-nf-call-iptables')).toBeUndefined();
  });
});
