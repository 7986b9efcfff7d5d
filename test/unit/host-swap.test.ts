// HOST-1.2.x evaluators: active swap, and swap that comes back at boot (fstab, .swap units, zram-generator).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { hostAndRuntimeRequests } from '../../src/facts/requirements.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, drift, file, ran } from '../support/facts.ts';
import type { NodeFacts } from '../../src/facts/types.ts';

const profile = profileSchema.parse(defaultProfile);
const run = (id: string, facts: NodeFacts) => {
  const e = hostEvaluators[id];
  if (!e) throw new Error(`no evaluator for ${id}`);
  return e(facts, profile);
};
const base = compliantFacts();
const artifacts = fileURLToPath(new URL('../../fixtures/artifacts/host-os/', import.meta.url));
const haveArtifacts = existsSync(artifacts);
const art = (name: string): string => readFileSync(`${artifacts}${name}`, 'utf8');

describe('HOST-1.2.1 active swap', () => {
  it('passes on a header-only /proc/swaps', () => {
    expect(run('HOST-1.2.1', base)).toMatchObject({ status: 'pass', source: '/proc/swaps' });
  });
  it('fails listing each active area', () => {
    const swaps = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swap.img                               file\t\t4194300\t\t0\t\t-2\n/dev/zram0 partition 2097148 0 100\n';
    const v = run('HOST-1.2.1', drift(base, { files: { '/proc/swaps': file(swaps) } }));
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('/swap.img (file, 4194300 KiB), /dev/zram0 (partition, 2097148 KiB)');
    expect(v.message).toContain('swapoff -a');
  });
  it('is an error when /proc/swaps is unreadable', () => {
    expect(run('HOST-1.2.1', drift(base, { files: { '/proc/swaps': { state: 'unreadable', error: 'EACCES' } } })).status).toBe('error');
  });
  it.skipIf(!haveArtifacts)('passes on this sandbox\'s real /proc/swaps', () => {
    expect(run('HOST-1.2.1', drift(base, { files: { '/proc/swaps': file(art('debian12-sandbox-proc-swaps-no-swap.txt')) } })).status).toBe('pass');
  });
});

describe('HOST-1.2.2 swap at boot', () => {
  it('passes with a commented swap line, no units, no zram config', () => {
    expect(run('HOST-1.2.2', base).status).toBe('pass');
  });
  it('fails a tab-separated swap line, naming its line number', () => {
    const v = run('HOST-1.2.2', drift(base, { files: { '/etc/fstab': file('UUID=1 / ext4 defaults 0 1\n/swap.img\tnone\tswap\tsw\t0\t0\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/etc/fstab line 2 enables swap on /swap.img');
  });
  it('fails an enabled or active .swap unit', () => {
    const v = run(
      'HOST-1.2.2',
      drift(base, {
        commands: {
          'swap-units': ran('dev-sdb2.swap loaded active active /dev/sdb2\n'),
          'swap-unit-files': ran('dev-sdb2.swap enabled enabled\nold.swap masked enabled\nswap.img.swap generated -\n'),
        },
      }),
    );
    expect(v.status).toBe('fail');
    expect(v.message).toContain('swap unit dev-sdb2.swap is active');
    expect(v.message).toContain('swap unit swap.img.swap is generated');
    expect(v.message).not.toContain('old.swap');
  });
  it('fails a zram-generator config that defines a device', () => {
    const v = run('HOST-1.2.2', drift(base, { files: { '/usr/lib/systemd/zram-generator.conf': file('# defaults\n[zram0]\nzram-size = min(ram / 2, 4096)\n') } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/usr/lib/systemd/zram-generator.conf defines zram swap [zram0] at line 2');
  });
  it('lets an empty /etc config mask the vendor zram config', () => {
    const v = run('HOST-1.2.2', drift(base, { files: { '/etc/systemd/zram-generator.conf': file(''), '/usr/lib/systemd/zram-generator.conf': file('[zram0]\n') } }));
    expect(v.status).toBe('pass');
  });
  it('without systemd says units were not checked, and fstab still decides', () => {
    const noSd = drift(base, { systemd: false, commands: { 'swap-units': { state: 'skipped', reason: 'systemd is not PID 1' } } });
    const ok = run('HOST-1.2.2', noSd);
    expect(ok.status).toBe('pass');
    expect(ok.message).toContain('.swap units were not checked');
    const bad = run('HOST-1.2.2', drift(noSd, { files: { '/etc/fstab': file('/swapfile none swap sw 0 0\n') } }));
    expect(bad.status).toBe('fail');
    expect(bad.message).toContain('.swap units were not checked');
  });
  it('passes when list-unit-files finds no .swap unit (systemd 252 exits 1 with no output)', () => {
    const v = run('HOST-1.2.2', drift(base, { commands: { 'swap-unit-files': ran('', 1) } }));
    expect(v.status).toBe('pass');
  });
  it('asks systemd for .swap unit files by pattern, so PID 1 does not resolve every unit file first', () => {
    const request = hostAndRuntimeRequests(profile).find((r) => r.kind === 'command' && r.name === 'swap-unit-files');
    expect(request?.kind === 'command' ? request.argv : []).toEqual(['systemctl', 'list-unit-files', '--type=swap', '--no-legend', '--no-pager', '*.swap']);
  });
  it('is an error when systemctl failed and nothing else is wrong', () => {
    const v = run('HOST-1.2.2', drift(base, { commands: { 'swap-unit-files': ran('', 1, 'Failed to connect to bus') } }));
    expect(v.status).toBe('error');
    expect(v.message).toContain('Failed to connect to bus');
  });
  it('is an error when /etc/fstab is unreadable', () => {
    expect(run('HOST-1.2.2', drift(base, { files: { '/etc/fstab': { state: 'unreadable', error: 'Permission denied' } } })).status).toBe('error');
  });
});

describe.skipIf(!haveArtifacts)('HOST-1.2.2 over real fstabs (skipped: fixtures/artifacts/host-os is absent)', () => {
  it('curtin fstab: active /swap.img on line 12 fails', () => {
    const v = run('HOST-1.2.2', drift(base, { files: { '/etc/fstab': file(art('ubuntu-server-curtin-etc-fstab-with-swap.img.txt')) } }));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/etc/fstab line 12 enables swap on /swap.img');
  });
  it('cy-gu fstab: the commented swapfile passes', () => {
    expect(run('HOST-1.2.2', drift(base, { files: { '/etc/fstab': file(art('cy-gu-ubuntu-etc-fstab-swapfile-commented.txt')) } })).status).toBe('pass');
  });
});
