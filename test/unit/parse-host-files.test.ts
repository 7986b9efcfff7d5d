// Parsers of host files, over strings and over the real files collected in fixtures/artifacts/host-os.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseFstab, swapEntries } from '../../src/parse/fstab.ts';
import { parseHosts, resolveName } from '../../src/parse/hosts.ts';
import { parseKernelConfig, tristate } from '../../src/parse/kernel-config.ts';
import { parseModulesBuiltin, parseProcFilesystems, parseProcModules } from '../../src/parse/kernel-modules.ts';
import { compareKernel, parseKernelRelease } from '../../src/parse/kernel-release.ts';
import { firstWordIfSeveral, parseModulesLoad } from '../../src/parse/modules-load.ts';
import { parseOsRelease } from '../../src/parse/os-release.ts';
import { parseProcSwaps } from '../../src/parse/swaps.ts';
import { parseSysctlConf, parseSysctlSystemOutput, sysctlKeyToPath, sysctlPathToKey } from '../../src/parse/sysctl.ts';
import { parseListUnitFiles, parseListUnits } from '../../src/parse/systemctl-list.ts';

const artifacts = fileURLToPath(new URL('../../fixtures/artifacts/host-os/', import.meta.url));
const haveArtifacts = existsSync(artifacts);
const art = (name: string): string => readFileSync(`${artifacts}${name}`, 'utf8');

describe('fstab', () => {
  it('finds swap lines in any blank layout and skips comments', () => {
    const e = parseFstab('# c\n  #/swapfile none swap sw 0 0\n/swap.img\tnone\tswap\tsw\t0\t0\nUUID=1 / ext4 defaults 0 1\n/dev/sdb2  none swap  sw,noauto 0 0\n');
    expect(swapEntries(e).map((x) => [x.line, x.spec, x.options])).toEqual([
      [3, '/swap.img', ['sw']],
      [5, '/dev/sdb2', ['sw', 'noauto']],
    ]);
  });
  it('decodes octal escapes inside fields', () => {
    expect(parseFstab('/mnt/my\\040swap none swap sw 0 0\n')[0]?.spec).toBe('/mnt/my swap');
  });
});

describe.skipIf(!haveArtifacts)('fstab artifacts (skipped: fixtures/artifacts/host-os is absent)', () => {
  it('curtin fstab: the tab-separated /swap.img line is an active swap entry on line 12', () => {
    const swaps = swapEntries(parseFstab(art('ubuntu-server-curtin-etc-fstab-with-swap.img.txt')));
    expect(swaps).toHaveLength(1);
    expect(swaps[0]).toMatchObject({ line: 12, spec: '/swap.img', vfstype: 'swap' });
  });
  it('cy-gu fstab: the swapfile is commented out, the other lines parse', () => {
    const e = parseFstab(art('cy-gu-ubuntu-etc-fstab-swapfile-commented.txt'));
    expect(swapEntries(e)).toEqual([]);
    expect(e.map((x) => x.file)).toEqual(['/', '/media/floppy0']);
  });
  it('/proc/swaps from this sandbox has only its header', () => {
    expect(parseProcSwaps(art('debian12-sandbox-proc-swaps-no-swap.txt'))).toEqual([]);
  });
});

describe('hosts', () => {
  const lines = parseHosts('127.0.0.1\tlocalhost\n127.0.1.1 worker-01 # installer\n10.0.0.20\tworker-01.lan  worker-01\n# 10.0.0.10 control-plane\n::1 localhost ip6-localhost\n');
  it('reads tabs, several names and trailing comments, skips commented lines', () => {
    expect(lines.map((l) => [l.line, l.ip, l.names])).toEqual([
      [1, '127.0.0.1', ['localhost']],
      [2, '127.0.1.1', ['worker-01']],
      [3, '10.0.0.20', ['worker-01.lan', 'worker-01']],
      [5, '::1', ['localhost', 'ip6-localhost']],
    ]);
  });
  it('answers a lookup from the first line of the family, as glibc does', () => {
    expect(resolveName(lines, 'worker-01', 4)?.ip).toBe('127.0.1.1');
    expect(resolveName(lines, 'control-plane', 4)).toBeUndefined();
    expect(resolveName(lines, 'LOCALHOST', 6)?.ip).toBe('::1');
  });
});

describe('os-release', () => {
  it('unquotes values', () => {
    const os = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nNAME=\'x y\'\n# c\n');
    expect(os).toMatchObject({ ID: 'debian', VERSION_ID: '12', NAME: 'x y', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)' });
  });
  it.skipIf(!existsSync('/etc/os-release'))('parses this machine\'s /etc/os-release', () => {
    const os = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
    expect(os['ID']).toMatch(/^[a-z]+$/);
  });
});

describe('kernel release', () => {
  it.each([
    ['6.8.0-45-generic', [6, 8, 0]],
    ['5.10.0-28-amd64', [5, 10, 0]],
    ['6.18.44-fc-v595', [6, 18, 44]],
    ['5.4', [5, 4, 0]],
  ])('%s', (release, want) => expect(parseKernelRelease(release)).toEqual(want));
  it('compares numerically, not as text', () => {
    const v = (s: string) => parseKernelRelease(s) ?? [0, 0, 0];
    expect(compareKernel(v('5.9.0'), v('5.10'))).toBeLessThan(0);
    expect(compareKernel(v('6.18.44-fc-v595'), v('6.8'))).toBeGreaterThan(0);
    expect(compareKernel(v('5.10.0-28-amd64'), v('5.10'))).toBe(0);
  });
  it('rejects junk', () => expect(parseKernelRelease('linux')).toBeUndefined());
});

describe('kernel config, modules, filesystems', () => {
  it('reads the probe output and reports unset symbols only when a config was read', () => {
    const kc = parseKernelConfig('# source: /proc/config.gz\nCONFIG_OVERLAY_FS=y\nCONFIG_BRIDGE_NETFILTER=m\n');
    expect(kc.source).toBe('/proc/config.gz');
    expect(tristate(kc, 'CONFIG_OVERLAY_FS')).toBe('y');
    expect(tristate(kc, 'CONFIG_BRIDGE_NETFILTER')).toBe('m');
    expect(tristate(kc, 'CONFIG_MODULES')).toBe('not set');
    expect(tristate(parseKernelConfig('# source: none\n'), 'CONFIG_OVERLAY_FS')).toBeUndefined();
  });
  it('reads /proc/modules, modules.builtin and /proc/filesystems', () => {
    expect(parseProcModules('br_netfilter 32768 0 - Live 0x0\noverlay 151552 0 - Live 0x0\n')).toEqual(new Set(['br_netfilter', 'overlay']));
    const mb = parseModulesBuiltin('# source: /lib/modules/6.1.0/modules.builtin\nkernel/fs/overlayfs/overlay.ko\nkernel/net/bridge/br_netfilter.ko\n');
    expect([...mb.modules]).toEqual(['overlay', 'br_netfilter']);
    expect(parseProcFilesystems('nodev\tsysfs\nnodev\toverlay\n\text4\n')).toEqual(new Set(['sysfs', 'overlay', 'ext4']));
  });
  it.skipIf(!existsSync('/proc/filesystems'))('this machine\'s /proc/filesystems parses', () => {
    expect(parseProcFilesystems(readFileSync('/proc/filesystems', 'utf8')).has('proc')).toBe(true);
  });
  it('reads modules-load.d files as systemd-modules-load does: whole-line comments only, the rest of a line is the name', () => {
    // systemd src/modules-load/modules-load.c apply_file(): strstrip(line); skip if empty or if the first character
    // is in COMMENTS ("#;"); module_load_and_warn(ctx, l, ...) gets the whole stripped line. No inline comments.
    expect(parseModulesLoad('# k8s\noverlay\n; old\n  br_netfilter  \n\nnf_conntrack hashsize=1\nbr_netfilter # k8s\r\n\t# indented\n')).toEqual([
      { line: 2, module: 'overlay' },
      { line: 4, module: 'br_netfilter' },
      { line: 6, module: 'nf_conntrack hashsize=1' },
      { line: 7, module: 'br_netfilter # k8s' },
    ]);
    expect(firstWordIfSeveral('br_netfilter # k8s')).toBe('br_netfilter');
    expect(firstWordIfSeveral('br_netfilter')).toBeUndefined();
  });
});

describe('systemctl listings', () => {
  it('reads list-units and list-unit-files rows', () => {
    expect(parseListUnits('swap.img.swap loaded active active /swap.img\n● dev-zram0.swap not-found inactive dead dev-zram0.swap\n')).toEqual([
      { unit: 'swap.img.swap', load: 'loaded', active: 'active', sub: 'active' },
      { unit: 'dev-zram0.swap', load: 'not-found', active: 'inactive', sub: 'dead' },
    ]);
    expect(parseListUnitFiles('swap.img.swap generated -\nmyswap.swap disabled enabled\n\n2 unit files listed.\n')).toEqual([
      { unit: 'swap.img.swap', state: 'generated' },
      { unit: 'myswap.swap', state: 'disabled' },
    ]);
  });
});

describe('sysctl.conf', () => {
  it('parses every line form procps accepts', () => {
    const r = parseSysctlConf('# c\n; c\n  net.ipv4.ip_forward=1\nnet/bridge/bridge-nf-call-iptables\t =  1 \n-kernel.panic = 10\n-net.ipv4.conf.*.rp_filter\nnet.ipv4.conf.*.rp_filter = 2\ngarbage\n\n');
    expect(r.invalid).toEqual([8]);
    expect(r.settings.map((s) => [s.line, s.path, s.value, s.ignoreFailure, s.globExclude, s.isGlob])).toEqual([
      [3, 'net/ipv4/ip_forward', '1', false, false, false],
      [4, 'net/bridge/bridge-nf-call-iptables', '1', false, false, false],
      [5, 'kernel/panic', '10', true, false, false],
      [6, 'net/ipv4/conf/*/rp_filter', null, false, true, true],
      [7, 'net/ipv4/conf/*/rp_filter', '2', false, false, true],
    ]);
  });
  it('swaps dots and slashes the way procps does for interface names with dots', () => {
    expect(sysctlKeyToPath('net.ipv4.conf.eth0/100.rp_filter')).toBe('net/ipv4/conf/eth0.100/rp_filter');
    expect(sysctlPathToKey('net/ipv4/conf/eth0.100/rp_filter')).toBe('net.ipv4.conf.eth0/100.rp_filter');
  });
});

describe.skipIf(!haveArtifacts)('sysctl artifacts (skipped: fixtures/artifacts/host-os is absent)', () => {
  it('Debian 12 /etc/sysctl.conf is all comments', () => {
    expect(parseSysctlConf(art('debian12-etc-sysctl.conf'))).toEqual({ settings: [], invalid: [] });
  });
  it('Debian 12 /usr/lib/sysctl.d files parse to their assignments', () => {
    expect(parseSysctlConf(art('debian12-usr-lib-sysctl.d-50-pid-max.conf')).settings.map((s) => [s.line, s.key, s.value])).toEqual([[16, 'kernel.pid_max', '4194304']]);
    expect(parseSysctlConf(art('debian12-usr-lib-sysctl.d-99-protect-links.conf')).settings.map((s) => s.key)).toEqual([
      'fs.protected_fifos',
      'fs.protected_hardlinks',
      'fs.protected_regular',
      'fs.protected_symlinks',
    ]);
  });
  it('the sysctl --system outputs parse into applied files and assignments', () => {
    const deb = parseSysctlSystemOutput(art('debian12-sysctl-dry-run-system.txt'));
    expect(deb.applied).toEqual([
      '/usr/lib/sysctl.d/50-pid-max.conf',
      '/usr/lib/sysctl.d/99-protect-links.conf',
      '/etc/sysctl.d/99-sysctl.conf',
      '/etc/sysctl.conf',
    ]);
    expect(deb.assignments).toHaveLength(5);
    const ubu = parseSysctlSystemOutput(art('ubuntu-24.04-kubeadm-1.36-node-sysctl-system-output.txt'));
    expect(ubu.applied).toHaveLength(15);
    expect(ubu.assignments.at(-1)).toEqual({ key: 'net.ipv4.ip_forward', value: '1' });
    expect(ubu.assignments.find((a) => a.key === 'kernel.printk')?.value).toBe('4 4 1 7');
  });
});
