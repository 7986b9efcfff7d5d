// HOST-1.1.x evaluators over replayed facts: hostname, /etc/hosts, kernel release, OS release.
import { describe, expect, it } from 'vitest';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, drift, file, missing, notFound, ran } from '../support/facts.ts';
import type { NodeFacts } from '../../src/facts/types.ts';

const profile = profileSchema.parse(defaultProfile);
const run = (id: string, facts: NodeFacts, p = profile) => {
  const e = hostEvaluators[id];
  if (!e) throw new Error(`no evaluator for ${id}`);
  return e(facts, p);
};
const base = compliantFacts();

describe('HOST-1.1.1 hostname', () => {
  it('passes when hostname and /etc/hostname are the node name', () => {
    expect(run('HOST-1.1.1', base)).toMatchObject({ status: 'pass', expected: 'worker-01', actual: 'worker-01', source: 'hostname' });
  });
  it('fails on another name and says how to fix it', () => {
    const v = run('HOST-1.1.1', drift(base, { commands: { hostname: ran('ubuntu-server\n') } }));
    expect(v).toMatchObject({ status: 'fail', actual: 'ubuntu-server' });
    expect(v.message).toContain('hostnamectl set-hostname worker-01');
  });
  it('fails on the FQDN, naming why', () => {
    const v = run('HOST-1.1.1', drift(base, { commands: { hostname: ran('worker-01.lan\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('fully qualified');
  });
  it('fails when /etc/hostname would rename the node at reboot', () => {
    const v = run('HOST-1.1.1', drift(base, { files: { '/etc/hostname': file('# set by cloud-init\nold-name\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/etc/hostname says "old-name"');
  });
  it('is an error when the hostname command failed', () => {
    const v = run('HOST-1.1.1', drift(base, { commands: { hostname: notFound } }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('`hostname` failed: command not found');
  });
});

describe('HOST-1.1.2 /etc/hosts', () => {
  it('passes with tabs, comments and several names per line', () => {
    const facts = drift(base, { files: { '/etc/hosts': file('127.0.0.1\tlocalhost # lo\n10.0.0.10\tcp.lan control-plane\n10.0.0.20 worker-01\t# me\n') } });
    expect(run('HOST-1.1.2', facts)).toMatchObject({ status: 'pass', source: '/etc/hosts' });
  });
  it('reports each missing mapping', () => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('127.0.0.1 localhost\n# 10.0.0.10 control-plane\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('control-plane is not in /etc/hosts (add "10.0.0.10 control-plane")');
    expect(v.message).toContain('worker-01 is not in /etc/hosts (add "10.0.0.20 worker-01")');
  });
  // kubernetes pkg/kubelet/nodestatus/setters.go NodeAddress: with no --node-ip, addrs, _ = net.LookupIP(node.Name)
  // and the first addr that validateNodeIP (pkg/kubelet/kubelet_node_status.go: "nodeIP can't be loopback address")
  // accepts, IPv4 preferred; golang/go src/net/hosts.go lookupStaticHost returns every line's address for the name.
  it('passes the Debian/Ubuntu 127.0.1.1 line before the documented one: the kubelet skips loopback', () => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('127.0.1.1 worker-01\n10.0.0.10 control-plane\n10.0.0.20 worker-01\n') } }));
    expect(v.status).toBe('pass');
    expect(v.actual).toContain('worker-01 → 127.0.1.1 (line 1), 10.0.0.20 (line 3)');
    expect(v.message).toContain('line 1 ("127.0.1.1 worker-01"): loopback, which the kubelet skips when it picks the node IP');
  });
  it('fails 127.0.1.1 alone: the documented address is missing', () => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('127.0.1.1 worker-01\n10.0.0.10 control-plane\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('no line maps worker-01 to 10.0.0.20; the resolvers return 127.0.1.1 (line 1)');
  });
  it('fails a second non-loopback address for a name, wherever it is', () => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('10.0.0.10 control-plane\n10.0.0.20 worker-01\n192.168.1.20 worker-01\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('line 3 ("192.168.1.20 worker-01") gives worker-01 a second, different address');
  });
  it('fails a loopback line before the documented one for a peer\'s name, not after it', () => {
    const before = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('127.0.0.1 control-plane\n10.0.0.10 control-plane\n10.0.0.20 worker-01\n') } }));
    expect(before.status).toBe('fail');
    expect(before.message).toContain('a lookup that takes the first line (gethostbyname, getent hosts) gets 127.0.0.1');
    const after = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('10.0.0.10 control-plane\n127.0.0.1 control-plane\n10.0.0.20 worker-01\n') } }));
    expect(after.status).toBe('pass');
  });
  // glibc resolv/inet_pton.c inet_pton4 ("if (saw_digit && *tp == 0) return 0", "if (new > 255) return 0") and
  // golang/go src/net/netip/netip.go parseIPv4 ("IPv4 field has octet with leading zero", "IPv4 field has value
  // >255"); both resolvers then skip the line (nss/nss_files/files-hosts.c: "Illegal address: ignore line";
  // src/net/hosts.go: "if addr == "" { continue }"). test/unit/host-hosts-getent.test.ts runs the real getent.
  it.each([
    ['010.0.0.20', 'an octet with a leading zero'],
    ['10.0.0.256', 'an octet above 255'],
    ['10.0.20', 'does not have four octets'],
    ['0x0a.0.0.20', 'not a decimal octet'],
  ])('skips a line whose address is %s (%s) and fails when it was the only one', (addr, reason) => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file(`10.0.0.10 control-plane\n${addr} worker-01\n`) } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('worker-01 is not in /etc/hosts (add "10.0.0.20 worker-01")');
    expect(v.message).toContain(`line 2 ("${addr} worker-01") is skipped by glibc and Go alike`);
    expect(v.message).toContain(reason);
  });
  it('passes when the skipped line sits next to a good one, and says it was skipped', () => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('10.0.0.10 control-plane\n010.0.0.21 worker-01\n10.0.0.20 WORKER-01\n') } }));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('line 2 ("010.0.0.21 worker-01") is skipped');
  });
  it('does not count the IP mapped to another name', () => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': file('10.0.0.10 master\n10.0.0.20 worker-01\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('control-plane is not in /etc/hosts');
  });
  it('is an error when /etc/hosts is unreadable', () => {
    const v = run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': { state: 'unreadable', error: 'Permission denied' } } }));
    expect(v).toMatchObject({ status: 'error', source: '/etc/hosts' });
    expect(v.message).toContain('Permission denied');
  });
  it('fails when /etc/hosts does not exist', () => {
    expect(run('HOST-1.1.2', drift(base, { files: { '/etc/hosts': missing } })).status).toBe('fail');
  });
});

describe('HOST-1.1.3 kernel', () => {
  it.each(['6.8.0-45-generic', '5.10.0-28-amd64', '6.18.44-fc-v595'])('passes %s against 5.10', (r) => {
    expect(run('HOST-1.1.3', drift(base, { commands: { 'uname-r': ran(`${r}\n`) } }))).toMatchObject({ status: 'pass', actual: r });
  });
  it('fails 5.4 and 5.9 (numeric, not string, comparison)', () => {
    for (const r of ['5.4.0-216-generic', '5.9.16']) {
      const v = run('HOST-1.1.3', drift(base, { commands: { 'uname-r': ran(`${r}\n`) } }));
      expect(v.status).toBe('fail');
      expect(v.message).toContain('older than the required 5.10');
    }
  });
  it('is an error when uname failed or printed junk', () => {
    expect(run('HOST-1.1.3', drift(base, { commands: { 'uname-r': { state: 'timeout' } } }))).toMatchObject({ status: 'error' });
    expect(run('HOST-1.1.3', drift(base, { commands: { 'uname-r': ran('weird\n') } })).message).toContain('Cannot parse the kernel release "weird"');
  });
});

describe('HOST-1.1.4 OS release', () => {
  it('passes Ubuntu 24.04', () => {
    expect(run('HOST-1.1.4', base)).toMatchObject({ status: 'pass', source: '/etc/os-release' });
  });
  it('fails Debian 12, naming both fields', () => {
    const v = run('HOST-1.1.4', drift(base, { files: { '/etc/os-release': file('ID=debian\nVERSION_ID="12"\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('ID=debian VERSION_ID=12');
  });
  it('falls back to /usr/lib/os-release', () => {
    const v = run('HOST-1.1.4', drift(base, { files: { '/etc/os-release': missing, '/usr/lib/os-release': file('ID=ubuntu\nVERSION_ID="22.04"\n') } }));
    expect(v).toMatchObject({ status: 'pass', source: '/usr/lib/os-release' });
  });
  it('is an error when neither file exists', () => {
    expect(run('HOST-1.1.4', drift(base, { files: { '/etc/os-release': missing, '/usr/lib/os-release': missing } })).status).toBe('error');
  });
});
