// The namespace lab's node /boot/config comes from /proc/config.gz, or from /boot/config-$(uname -r) on kernels that
// do not expose it (stock Debian and Ubuntu), and always says overlay and br_netfilter are modules.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { labScript } from '../support/netns-lab.ts';

const dir = mkdtempSync(join(tmpdir(), 'nodegate-kconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A host kernel like the one the lab was first built on: no module support, both features built in.
const builtIn = '# CONFIG_MODULES is not set\nCONFIG_OVERLAY_FS=y\nCONFIG_BRIDGE_NETFILTER=y\nCONFIG_SECCOMP=y\n';
const asModules = 'CONFIG_MODULES=y\nCONFIG_OVERLAY_FS=m\nCONFIG_BRIDGE_NETFILTER=m\nCONFIG_SECCOMP=y\n';

function kernelConfig(procConfig: string, bootConfig: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, NODEGATE_LAB_PROC_KCONFIG: procConfig, NODEGATE_LAB_BOOT_KCONFIG: bootConfig };
  return new Promise((resolve) => {
    execFile(labScript, ['kernel-config'], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('lab.sh kernel-config', () => {
  it('reads /boot/config-$(uname -r) when /proc/config.gz is absent', async () => {
    const boot = join(dir, 'config-boot');
    writeFileSync(boot, builtIn);
    const r = await kernelConfig(join(dir, 'no-config.gz'), boot);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(asModules);
  });

  it('prefers /proc/config.gz when the kernel exposes it', async () => {
    const proc = join(dir, 'config.gz');
    writeFileSync(proc, gzipSync(builtIn));
    const boot = join(dir, 'config-stale');
    writeFileSync(boot, 'CONFIG_STALE=y\n');
    const r = await kernelConfig(proc, boot);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(asModules);
  });

  it('stops, naming both places, when neither exists', async () => {
    const r = await kernelConfig(join(dir, 'none.gz'), join(dir, 'none'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`neither ${join(dir, 'none.gz')} nor ${join(dir, 'none')} is readable`);
  });
});
