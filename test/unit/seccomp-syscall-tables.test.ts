// The generated syscall table is exactly what the generator makes of libseccomp v2.6.1's syscalls.csv, and it
// agrees with two real kernels' x86_64 syscall tables and with libseccomp 2.5.6 wherever they overlap.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { existsOn, isKnownSyscall, syscallNumber } from '../../src/seccomp/arches.ts';
import { syscallTable, syscallTableSource, tableArches } from '../../src/seccomp/syscall-tables.generated.ts';
import { parseSyscallsCsv, renderTableModule } from '../../src/seccomp/syscalls-csv.ts';

const artifacts = fileURLToPath(new URL('../../fixtures/artifacts/syscalls/', import.meta.url));
const csv261 = `${artifacts}libseccomp-v2.6.1-src-syscalls.csv`;
const csv256 = `${artifacts}libseccomp-v2.5.6-src-syscalls.csv`;
const kernels = ['linux-6.1.192-debian-arch-x86-entry-syscalls-syscall_64.tbl', 'linux-7.2.13-debian-arch-x86-entry-syscalls-syscall_64.tbl'].map((f) => `${artifacts}${f}`);

describe('syscall table lookups', () => {
  it('knows PNR: open and stat exist on x86_64 but not on aarch64; openat and clone3 on both', () => {
    expect(syscallNumber('open', 'SCMP_ARCH_X86_64')).toBe(2);
    expect(existsOn('open', 'SCMP_ARCH_AARCH64')).toBe(false);
    expect(existsOn('stat', 'SCMP_ARCH_AARCH64')).toBe(false);
    expect(syscallNumber('openat', 'SCMP_ARCH_AARCH64')).toBe(56);
    expect(syscallNumber('clone3', 'SCMP_ARCH_X86_64')).toBe(435);
    expect(syscallNumber('_llseek', 'SCMP_ARCH_X86')).toBe(140);
    expect(existsOn('_llseek', 'SCMP_ARCH_X86_64')).toBe(false);
    expect(syscallNumber('newfstatat', 'SCMP_ARCH_PPC64LE')).toBe(291);
    expect(isKnownSyscall('opne')).toBe(false);
    expect(isKnownSyscall('constructor')).toBe(false);
  });
  it('records its provenance', () => {
    expect(syscallTableSource).toMatchObject({ project: 'libseccomp', tag: 'v2.6.1', commit: 'a81cc2de8ee7a33633defc88bb8a2d986b421613' });
    expect(tableArches).toContain('aarch64');
    expect(syscallTable.length).toBeGreaterThan(500);
  });
});

describe('syscall table against its sources (fixtures/artifacts/syscalls)', () => {
  const kernelTable = (path: string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[0]?.startsWith('#') || f.length < 3 || !f[0]) continue;
      if (f[1] === 'common' || f[1] === '64') m.set(f[2] ?? '', Number(f[0]));
    }
    return m;
  };

  it('is what scripts/gen-syscall-tables.ts makes of libseccomp v2.6.1 src/syscalls.csv', () => {
    const text = readFileSync(csv261, 'utf8');
    const sha256 = createHash('sha256').update(text).digest('hex');
    expect(sha256).toBe(syscallTableSource.sha256);
    const generated = readFileSync(fileURLToPath(new URL('../../src/seccomp/syscall-tables.generated.ts', import.meta.url)), 'utf8');
    expect(renderTableModule(parseSyscallsCsv(text), { url: syscallTableSource.url, tag: syscallTableSource.tag, commit: syscallTableSource.commit, sha256 })).toBe(generated);
  });

  it('has every common/64 syscall of Linux 6.1 and 7.2 at the kernel number, and nothing x86_64 that 7.2 lacks', () => {
    const [k61, k72] = kernels.map(kernelTable) as [Map<string, number>, Map<string, number>];
    expect(k61.size).toBeGreaterThan(350);
    for (const k of [k61, k72]) {
      for (const [name, nr] of k) expect(syscallNumber(name, 'SCMP_ARCH_X86_64'), name).toBe(nr);
    }
    const ours = syscallTable.filter(([name]) => existsOn(name, 'SCMP_ARCH_X86_64')).map(([name]) => name);
    expect(ours.filter((n) => !k72.has(n))).toEqual([]);
    // Newer than 6.1, so present in libseccomp and 7.2 only: the table follows a newer kernel than Debian 12's.
    expect(ours.filter((n) => !k61.has(n))).toEqual(expect.arrayContaining(['mseal', 'listmount', 'fchmodat2', 'file_setattr']));
  });

  it('agrees with libseccomp 2.5.6 on every name and architecture both know, but one correction', () => {
    const old = parseSyscallsCsv(readFileSync(csv256, 'utf8'));
    const now = parseSyscallsCsv(readFileSync(csv261, 'utf8'));
    const diffs: string[] = [];
    for (const [name, nums] of old.rows) {
      const cur = now.rows.get(name);
      expect(cur, `${name} dropped`).toBeDefined();
      old.arches.forEach((arch, i) => {
        const j = now.arches.indexOf(arch);
        if (j >= 0 && cur?.[j] !== nums[i]) diffs.push(`${name}@${arch}: ${nums[i]} -> ${cur?.[j]}`);
      });
    }
    // libseccomp 2.6 corrected _llseek on parisc64, where the 64-bit ABI has no such call.
    expect(diffs).toEqual(['_llseek@parisc64: 140 -> null']);
    expect([...now.rows.keys()].filter((n) => !old.rows.has(n))).toEqual(expect.arrayContaining(['file_getattr', 'listns', 'open_tree_attr']));
  });
});
