// HOST-1.2.2 as the programs that activate swap at boot read their files: swapon -a and systemd-fstab-generator
// over /etc/fstab (noauto), zram-generator over its config (mount-point= is a file system, not swap).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { parseZramConfig } from '../../src/evaluate/host/zram.ts';
import { parseFstab, swapActivation, swapUnitName } from '../../src/parse/fstab.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, drift, file, ran } from '../support/facts.ts';
import type { NodeFacts } from '../../src/facts/types.ts';

const profile = profileSchema.parse(defaultProfile);
const run = (facts: NodeFacts) => {
  const e = hostEvaluators['HOST-1.2.2'];
  if (!e) throw new Error('no evaluator for HOST-1.2.2');
  return e(facts, profile);
};
const base = compliantFacts();
const hasSystemdEscape = spawnSync('sh', ['-c', 'command -v systemd-escape']).status === 0;
const fstab = (lines: string) => drift(base, { files: { '/etc/fstab': file(`UUID=1 / ext4 defaults 0 1\n${lines}`) } });
const entry = (line: string) => {
  const e = parseFstab(line)[0];
  if (!e) throw new Error(`no entry in ${line}`);
  return e;
};

describe('fstab swap activation', () => {
  // util-linux swapon(8) -a: "All devices marked as swap in /etc/fstab are made available, except for those with
  // the noauto option" (sys-utils/swapon.c swapon_all skips an entry whose options contain noauto).
  // systemd src/fstab-generator/fstab-generator.c: noauto = fstab_test_yes_no_option(opts, "noauto\0" "auto\0")
  // (the last of the two wins); add_swap() writes the .swap unit either way but adds the swap.target
  // requires/wants link only when !(flags & MOUNT_NOAUTO).
  it.each([
    ['sw', true, true],
    ['defaults', true, true],
    ['sw,noauto', false, false],
    ['defaults,noauto', false, false],
    ['noauto,x-systemd.makefs', false, false],
    ['sw,nofail,x-systemd.device-timeout=5s', true, true],
    ['noauto,auto', false, true],
    ['auto,noauto', false, false],
    ['x-systemd.noauto', true, true],
  ])('options %s: swapon -a %s, systemd at boot %s', (opts, swaponAll, systemdBoot) => {
    expect(swapActivation(entry(`/swapfile none swap ${opts} 0 0`))).toEqual({ swaponAll, systemdBoot });
  });
  it('names the unit systemd-fstab-generator writes (unit_name_from_path over fstab_node_to_udev_node)', () => {
    // systemd-escape --suffix=swap --path /dev/disk/by-uuid/ab-12 gives dev-disk-by\x2duuid-ab\x2d12.swap.
    expect(swapUnitName('/swap.img')).toBe('swap.img.swap');
    expect(swapUnitName('/dev/sdb2')).toBe('dev-sdb2.swap');
    expect(swapUnitName('UUID=ab-12')).toBe('dev-disk-by\\x2duuid-ab\\x2d12.swap');
    expect(swapUnitName('LABEL=my swap')).toBe('dev-disk-by\\x2dlabel-my\\x5cx20swap.swap');
    expect(swapUnitName('//var//lib/./swap_file')).toBe('var-lib-swap_file.swap');
    expect(swapUnitName('/.hidden')).toBe('\\x2ehidden.swap');
  });
  it.skipIf(!hasSystemdEscape)('agrees with this machine\'s systemd-escape --path --suffix=swap', () => {
    const paths = ['/swap.img', '/dev/disk/by-uuid/ab-12', '/dev/disk/by-label/my\\x20swap', '//var//lib/./swap_file', '/.hidden', '/srv/sw\u00e4p'];
    const r = spawnSync('systemd-escape', ['--path', '--suffix=swap', ...paths], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(paths.map((p) => swapUnitName(p)).join(' ')).toBe(r.stdout.trim());
  });
});

describe('HOST-1.2.2 noauto swap entries', () => {
  it('passes a noauto swap entry on a systemd node, saying why, even with its generated unit listed', () => {
    const facts = drift(fstab('/swapfile none swap sw,noauto 0 0\n'), {
      commands: { 'swap-unit-files': ran('swapfile.swap generated -\n') },
    });
    const v = run(facts);
    expect(v.status).toBe('pass');
    expect(v.message).toContain('/etc/fstab line 2 is a noauto swap entry: neither swapon -a nor systemd-fstab-generator activates it at boot');
  });
  it('passes a noauto entry swapped on by hand: active now (HOST-1.2.1), not at boot', () => {
    const facts = drift(fstab('/swapfile\tnone\tswap\tdefaults,noauto\t0\t0\n'), {
      commands: { 'swap-units': ran('swapfile.swap loaded active active /swapfile\n'), 'swap-unit-files': ran('swapfile.swap generated -\n') },
    });
    expect(run(facts).status).toBe('pass');
  });
  it('still fails an explicitly enabled unit file of the same name: that one is pulled in at boot', () => {
    const facts = drift(fstab('/swapfile none swap sw,noauto 0 0\n'), { commands: { 'swap-unit-files': ran('swapfile.swap enabled enabled\n') } });
    const v = run(facts);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('swap unit swapfile.swap is enabled and starts at boot');
  });
  it('fails "noauto,auto" on a systemd node: the generator reads the last one', () => {
    const v = run(fstab('/swapfile none swap noauto,auto 0 0\n'));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('/etc/fstab line 2 enables swap on /swapfile');
    expect(v.message).toContain('swapon -a skips it');
  });
  it('passes "noauto,auto" where systemd is not PID 1: the init scripts run swapon -a, which skips it', () => {
    const v = run(drift(fstab('/swapfile none swap noauto,auto 0 0\n'), { systemd: false }));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('swapon -a skips it');
  });
  it('fails a swap entry without noauto next to a noauto one, naming only the active line', () => {
    const v = run(fstab('/swapfile none swap sw,noauto 0 0\n/dev/sdb2 none swap sw 0 0\n'));
    expect(v.status).toBe('fail');
    expect(v.actual).toContain('/etc/fstab line 3 enables swap on /dev/sdb2');
    expect(v.actual).not.toContain('line 2');
  });
});

describe('HOST-1.2.2 zram-generator', () => {
  // zram-generator man/zram-generator.conf.md: "mount-point= Format the device with a file system (not as swap)";
  // "fs-type= ... The default is ext2 if mount-point is specified, and swap otherwise"; "Each device is configured
  // independently in its [zramN] section ... Other sections are ignored"; "Devices with the final size of 0 will be
  // discarded".
  it('reads which sections are swap', () => {
    expect(parseZramConfig('[zram0]\n[zram1]\nmount-point = /var/tmp\n[zram2]\nmount-point=/x\nfs-type=swap\n[zram3]\nfs-type = ext4\n[zram4]\nzram-size = 0\n[other]\n')).toEqual([
      { name: 'zram0', line: 1, swap: true },
      { name: 'zram1', line: 2, swap: false, note: 'mount-point = /var/tmp: formatted as ext2 and mounted, not swap' },
      { name: 'zram2', line: 4, swap: true },
      { name: 'zram3', line: 7, swap: false, note: 'fs-type = ext4: a file system, not swap' },
      { name: 'zram4', line: 9, swap: false, note: 'zram-size = 0, so the device is discarded' },
    ]);
  });
  it('passes a config whose only device has a mount-point', () => {
    const v = run(drift(base, { files: { '/etc/systemd/zram-generator.conf': file('[zram0]\nmount-point = /var/compressed\ncompression-algorithm = zstd\n') } }));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('[zram0] at line 1 is not swap (mount-point = /var/compressed');
  });
  it('fails the swap device and not the file-system device of the same config', () => {
    const v = run(drift(base, { files: { '/etc/systemd/zram-generator.conf': file('[zram0]\nmount-point = /tmp\n[zram1]\nzram-size = ram / 2\n') } }));
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('/etc/systemd/zram-generator.conf defines zram swap [zram1] at line 3 (remove the file or its device sections)');
  });
  it('reads /run before /etc, as the generator looks for its main config (src/config.rs locate_fragments)', () => {
    const v = run(drift(base, { files: { '/run/systemd/zram-generator.conf': file('[zram0]\nfs-type = ext4\n'), '/etc/systemd/zram-generator.conf': file('[zram0]\n') } }));
    expect(v.status).toBe('pass');
  });
});
