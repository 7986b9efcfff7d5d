// glibc's own reading of /etc/hosts, run for real: getent against a hosts file bind-mounted over /etc/hosts in a
// private mount namespace, compared with the addresses and the HOST-1.1.2 verdict nodegate derives from the same text.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { hostsAddresses, parseHosts } from '../../src/parse/hosts.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, drift, file } from '../support/facts.ts';

const profile = profileSchema.parse(defaultProfile);
const has = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const canRun =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  has('getent') &&
  has('unshare') &&
  spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0;
const stage = mkdtempSync(join(tmpdir(), 'nodegate-hosts-'));
afterAll(() => rmSync(stage, { recursive: true, force: true }));

let n = 0;
/**
 * glibc's answer for `name` from `hosts` alone: `getent -s files` keeps NSS on nss_files (no DNS query leaves this
 * machine, no nscd), `ahostsv4` is getaddrinfo(AF_INET) — every matching line — and `hosts` is gethostbyname2, the
 * first line. The bind mount lives only in the new mount namespace; the real /etc/hosts is never touched.
 */
function getent(hosts: string, name: string): { all: string[]; first: string | null } {
  const f = join(stage, `hosts-${++n}`);
  writeFileSync(f, hosts);
  const script = 'mount --bind "$1" /etc/hosts || exit 90; echo "#all"; getent -s files ahostsv4 "$2"; echo "#first"; getent -s files hosts "$2"; exit 0';
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', f, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unshare/getent failed (${r.status}): ${r.stderr}`);
  const [allPart = '', firstPart = ''] = r.stdout.split('#first\n');
  const all = [...new Set(allPart.replace('#all\n', '').split('\n').filter((l) => l.trim() !== '').map((l) => l.split(/\s+/)[0] ?? ''))];
  const first = firstPart.trim() === '' ? null : (firstPart.trim().split(/\s+/)[0] ?? null);
  return { all, first };
}

const cases: [string, string][] = [
  ['Debian/Ubuntu installer line first', '127.0.0.1 localhost\n127.0.1.1 worker-01\n10.0.0.20 worker-01\n10.0.0.10 control-plane\n'],
  ['only the installer line', '127.0.0.1 localhost\n127.0.1.1 worker-01\n10.0.0.10 control-plane\n'],
  ['a leading zero', '010.0.0.20 worker-01\n10.0.0.10 control-plane\n'],
  ['a leading zero next to the right line', '010.0.0.21 worker-01\n10.0.0.20 worker-01\n10.0.0.10 control-plane\n'],
  ['an octet above 255', '10.0.0.256 worker-01\n10.0.0.10 control-plane\n'],
  ['inet_aton short form', '10.0.20 worker-01\n10.0.0.10 control-plane\n'],
  ['hex octet', '0x0a.0.0.20 worker-01\n10.0.0.10 control-plane\n'],
  ['two non-loopback addresses', '10.0.0.20 worker-01\n192.168.7.20 worker-01\n10.0.0.10 control-plane\n'],
  ['case, tabs and comments', '10.0.0.20\tWorker-01 # me\n10.0.0.10\tcp control-plane\n'],
];

describe.skipIf(!canRun)('HOST-1.1.2 against glibc on this machine (getent in a private mount namespace)', () => {
  it.each(cases)('%s: nodegate sees the addresses glibc returns, and its verdict follows them', (_label, hosts) => {
    const lines = parseHosts(hosts);
    for (const name of ['worker-01', 'control-plane']) {
      const glibc = getent(hosts, name);
      const ours = hostsAddresses(lines, name, 4).found.map((l) => (l.address.ok ? l.address.canonical : l.ip));
      // getaddrinfo sorts by RFC 6724, so compare as sets; gethostbyname2 answers from the first valid line.
      expect(new Set(ours), name).toEqual(new Set(glibc.all));
      expect(ours[0] ?? null, name).toBe(glibc.first);
    }
    // The verdict from glibc's answers: the documented address is among them and no other non-loopback one is.
    const ok = profile.hosts.every((h) =>
      h.names.every((name) => {
        const all = getent(hosts, name).all;
        return all.includes(h.ip) && all.every((a) => a === h.ip || a.startsWith('127.'));
      }),
    );
    const v = hostEvaluators['HOST-1.1.2']?.(drift(compliantFacts(), { files: { '/etc/hosts': file(hosts) } }), profile);
    expect(v?.status, v?.message).toBe(ok ? 'pass' : 'fail');
  });
});
