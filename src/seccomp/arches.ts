// seccomp architecture names as OCI, Docker and libseccomp spell them, mapped onto the generated syscall table,
// with the native/compat relation that tells which listed architectures share one filter's names.
import { syscallTable, tableArches } from './syscall-tables.generated.ts';

type TableArch = (typeof tableArches)[number];

/** SCMP_ARCH_* → the syscalls.csv column holding its numbers (endianness does not change syscall numbers). */
const column: Readonly<Record<string, TableArch>> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
  SCMP_ARCH_M68K: 'm68k',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPSEL: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPSEL64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL64N32: 'mips64n32',
  SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64',
  SCMP_ARCH_RISCV64: 'riscv64',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_SH: 'sh',
  SCMP_ARCH_SHEB: 'sh',
};

/** The 32-bit (or x32) ABIs a 64-bit kernel also runs: one container may call through any of them. */
const compat: Readonly<Record<string, readonly string[]>> = {
  SCMP_ARCH_X86_64: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  SCMP_ARCH_AARCH64: ['SCMP_ARCH_ARM'],
  SCMP_ARCH_PPC64: ['SCMP_ARCH_PPC'],
  SCMP_ARCH_S390X: ['SCMP_ARCH_S390'],
  SCMP_ARCH_MIPS64: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'],
  SCMP_ARCH_MIPSEL64: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'],
  SCMP_ARCH_PARISC64: ['SCMP_ARCH_PARISC'],
};

/** Go's GOARCH names, which Docker-format `includes.arches`/`excludes.arches` use, of each native architecture. */
const goArch: Readonly<Record<string, string>> = {
  SCMP_ARCH_X86: '386',
  SCMP_ARCH_X86_64: 'amd64',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'arm64',
  SCMP_ARCH_LOONGARCH64: 'loong64',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPSEL: 'mipsle',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPSEL64: 'mips64le',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_RISCV64: 'riscv64',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
};

/** `uname -m` of a node → its native SCMP_ARCH_*. */
const unameArch: Readonly<Record<string, string>> = {
  x86_64: 'SCMP_ARCH_X86_64',
  amd64: 'SCMP_ARCH_X86_64',
  i386: 'SCMP_ARCH_X86',
  i686: 'SCMP_ARCH_X86',
  aarch64: 'SCMP_ARCH_AARCH64',
  arm64: 'SCMP_ARCH_AARCH64',
  armv7l: 'SCMP_ARCH_ARM',
  armv6l: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  ppc64: 'SCMP_ARCH_PPC64',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
  loongarch64: 'SCMP_ARCH_LOONGARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
};

export const isKnownArch = (arch: string): boolean => Object.hasOwn(column, arch);
export const knownArches = (): string[] => Object.keys(column);
export const archOfUname = (machine: string): string | undefined => (Object.hasOwn(unameArch, machine.trim()) ? unameArch[machine.trim()] : undefined);
export const goArchOf = (arch: string): string | undefined => (Object.hasOwn(goArch, arch) ? goArch[arch] : undefined);

const columnIndex = new Map<string, number>(tableArches.map((a, i) => [a, i]));
const table = new Map<string, readonly (number | null)[]>(syscallTable);

/** A name libseccomp knows on at least one architecture (PNR everywhere would not be in its table). */
export const isKnownSyscall = (name: string): boolean => table.has(name);

/** The syscall's number on that architecture; undefined when it does not exist there (PNR) or is unknown. */
export function syscallNumber(name: string, arch: string): number | undefined {
  const col = Object.hasOwn(column, arch) ? column[arch] : undefined;
  const idx = col === undefined ? undefined : columnIndex.get(col);
  const v = idx === undefined ? undefined : table.get(name)?.[idx];
  return v === null || v === undefined ? undefined : v;
}

export const existsOn = (name: string, arch: string): boolean => syscallNumber(name, arch) !== undefined;

/**
 * Groups listed architectures into the sets one node filters at once: a native architecture with the compat
 * ABIs listed beside it. The first member is the native one.
 */
export function archFamilies(listed: readonly string[]): string[][] {
  const families: string[][] = [];
  const placed = new Set<string>();
  for (const native of listed) {
    if (placed.has(native) || !compat[native]) continue;
    const family = [native, ...listed.filter((a) => a !== native && !placed.has(a) && compat[native]?.includes(a))];
    family.forEach((a) => placed.add(a));
    families.push(family);
  }
  for (const a of listed) if (!placed.has(a)) families.push([a]), placed.add(a);
  return families;
}
