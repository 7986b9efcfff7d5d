// Seccomp profiles as the real runc on this machine filters them (Debian 12: runc 1.1.5, libseccomp 2.5.4): a
// busybox-static container per profile, run with `runc run`; nodegate's model of the answer (runtimeView →
// runcEnosysStub → answerFor) must equal the errno the container saw. runc decodes config.json with Go's
// encoding/json into the same runtime-spec specs.LinuxSeccomp that containerd decodes localhost/ profiles into
// (contrib/seccomp/seccomp.go WithProfile), so the Docker-field cases prove that decoding too.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRuncVersion } from '../../src/parse/version.ts';
import { runcEnosysStub } from '../../src/seccomp/enosys-stub.ts';
import { answerFor, libcReadiness } from '../../src/seccomp/policy.ts';
import { runtimeView } from '../../src/seccomp/runtime-view.ts';
import { syscallTable, tableArches } from '../../src/seccomp/syscall-tables.generated.ts';

const busybox = '/bin/busybox';
const runcVersion = spawnSync('runc', ['--version'], { encoding: 'utf8' });
/** A 64-bit little-endian ELF without a PT_INTERP program header runs with nothing but itself in the rootfs. */
function isStaticElf(path: string): boolean {
  if (!existsSync(path)) return false;
  const b = readFileSync(path);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) return false;
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}
const isStatic = isStaticElf(busybox);
const canRun = process.getuid?.() === 0 && runcVersion.status === 0 && isStatic && process.arch === 'x64';
const runc = canRun ? parseRuncVersion(runcVersion.stdout) : undefined;
const arch = 'SCMP_ARCH_X86_64';
const guideProfile = join(import.meta.dirname, '../../fixtures/guide/web-app.json');
/** glibc's static archive, for a program that starts a thread (glibc ≥ 2.34 tries clone3 first). */
const canCompile = spawnSync('gcc', ['--version']).status === 0 && existsSync('/usr/lib/x86_64-linux-gnu/libc.a');
const threadProgram = `#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void *run(void *a) { (void)a; return (void *)42; }
int main(void) {
  pthread_t t; void *r = 0; char buf[128];
  int e = pthread_create(&t, 0, run, 0);
  int n = e ? snprintf(buf, sizeof buf, "pthread_create: %s\\n", strerror(e)) : (pthread_join(t, &r), snprintf(buf, sizeof buf, "thread returned %ld\\n", (long)r));
  write(1, buf, n);
  return e != 0;
}
`;

/** strerror(3) text busybox prints, per errno. */
const errnoText: Readonly<Record<number, string>> = { 1: 'Operation not permitted', 13: 'Permission denied', 38: 'Function not implemented' };

/** Every x86_64 syscall numbered below `limit`: enough for busybox and runc's own init after the filter is loaded. */
const allBelow = (limit: number): string[] => {
  const col = tableArches.indexOf('x86_64');
  return syscallTable.filter(([, n]) => (n[col] ?? Infinity) < limit).map(([name]) => name);
};

let bundle = '';
let state = '';
let seq = 0;

/** Run `script` under busybox sh in a fresh container whose config.json carries `seccomp` verbatim. */
function runWith(seccomp: object, script: string | string[]): string {
  const config = JSON.parse(readFileSync(join(bundle, 'config.base.json'), 'utf8')) as { process: { args: string[]; terminal: boolean }; root: { readonly: boolean }; linux: Record<string, unknown> };
  config.process.args = typeof script === 'string' ? [busybox, 'sh', '-c', script] : script;
  config.process.terminal = false;
  config.root.readonly = false;
  config.linux.seccomp = seccomp;
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  const r = spawnSync('runc', ['--root', state, 'run', `nodegate-sec-${process.pid}-${seq++}`], { cwd: bundle, encoding: 'utf8', timeout: 30_000 });
  return `${r.stdout}${r.stderr}`;
}

/** nodegate's answer for `name`: the profile as decoded, with runc's stub for this runc and architecture. */
function modelErrno(seccomp: object, name: string): number | undefined {
  const v = runtimeView(JSON.stringify(seccomp), { nativeArch: arch });
  if (!v.ok) throw new Error(v.message);
  const stub = runcEnosysStub(v.profile, arch, runc?.version);
  const a = answerFor(v.profile, name, { ...(stub ? { stub } : {}), arch });
  return a.action === 'SCMP_ACT_ALLOW' ? 0 : a.errno;
}

describe.skipIf(!canRun)(`a seccomp profile as ${canRun ? runcVersion.stdout.split('\n')[0] : 'runc'} filters a busybox-static container (root)`, () => {
  beforeAll(() => {
    bundle = mkdtempSync(join(tmpdir(), 'nodegate-runc-'));
    state = join(bundle, 'state');
    for (const d of ['rootfs/bin', 'rootfs/proc', 'rootfs/dev', 'rootfs/tmp']) mkdirSync(join(bundle, d), { recursive: true });
    copyFileSync(busybox, join(bundle, 'rootfs/bin/busybox'));
    symlinkSync('busybox', join(bundle, 'rootfs/bin/sh'));
    const spec = spawnSync('runc', ['spec'], { cwd: bundle, encoding: 'utf8' });
    expect(spec.status, spec.stderr).toBe(0);
    copyFileSync(join(bundle, 'config.json'), join(bundle, 'config.base.json'));
  });
  afterAll(() => {
    if (bundle) rmSync(bundle, { recursive: true, force: true });
  });

  it("a denied syscall returns the profile's errnoRet (EACCES), and the model says the same", () => {
    const profile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: [arch], syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] };
    const out = runWith(profile, 'busybox mkdir /tmp/x; echo rc=$?; busybox mkdir -p /tmp; echo ok=$?');
    expect(out).toContain(`mkdir: can't create directory '/tmp/x': ${errnoText[13]}`);
    expect(modelErrno(profile, 'mkdir')).toBe(13);
  }, 60_000);

  it('a syscall numbered above every named one gets ENOSYS from the stub, not the default action (runc patchbpf, since 1.0.0-rc93)', () => {
    // Every call below 300 allowed, so the highest named is 299 (recvmmsg); setns is 308: the stub answers before
    // the filter's defaultErrnoRet 13 would (libcontainer/seccomp/patchbpf/enosys_linux.go generateEnosysStub).
    const profile = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 13, architectures: [arch], syscalls: [{ names: allBelow(300), action: 'SCMP_ACT_ALLOW' }] };
    const out = runWith(profile, 'busybox nsenter -t 1 -n true; echo rc=$?');
    expect(out).toContain(`setns(): can't reassociate to namespace 'net': ${errnoText[38]}`);
    expect(modelErrno(profile, 'setns')).toBe(38);
  }, 60_000);

  it('naming any higher syscall (here pkey_free, 331) moves the boundary: setns gets the default action again', () => {
    const profile = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 13, architectures: [arch], syscalls: [{ names: allBelow(300), action: 'SCMP_ACT_ALLOW' }, { names: ['pkey_free'], action: 'SCMP_ACT_ERRNO' }] };
    const out = runWith(profile, 'busybox nsenter -t 1 -n true; echo rc=$?');
    expect(out).toContain(`setns(): can't reassociate to namespace 'net': ${errnoText[13]}`);
    expect(modelErrno(profile, 'setns')).toBe(13);
  }, 60_000);

  it('a rule with only Docker\'s singular "name" is no rule: Go\'s decoder drops the field', () => {
    const profile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: [arch], syscalls: [{ name: 'mkdir', action: 'SCMP_ACT_ERRNO', errnoRet: 13 }, { names: ['mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] };
    const out = runWith(profile, 'busybox mkdir /tmp/x && echo created');
    expect(out).toContain('created');
    expect(modelErrno(profile, 'mkdir')).toBe(0);
  }, 60_000);

  it('a rule under includes.caps applies to a container without that capability: the condition is dropped', () => {
    // runc spec's default capabilities do not include CAP_SYS_ADMIN; Docker would skip this rule for such a container.
    const profile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: [arch], syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, includes: { caps: ['CAP_SYS_ADMIN'] } }] };
    const out = runWith(profile, 'busybox mkdir /tmp/x; echo rc=$?');
    expect(out).toContain(`mkdir: can't create directory '/tmp/x': ${errnoText[13]}`);
    expect(modelErrno(profile, 'mkdir')).toBe(13);
  }, 60_000);

  it.skipIf(!canCompile)("SEC-4.2.4's reasoning: under the guide's profile glibc's clone3 gets ENOSYS from the stub and pthread_create falls back to clone; an explicit EPERM for clone3 breaks it", () => {
    // glibc 2.36 sysdeps/unix/sysv/linux/clone-internal.c: __clone_internal retries with clone only when clone3
    // fails with ENOSYS. The guide's profile names prlimit64 (302) as its highest x86_64 syscall; clone3 is 435.
    // runc 1.1.5's own init reads /proc/self/fd after installing the filter (fstatfs, getdents64), which the guide's
    // profile does not allow, so those two are added for the container to start at all.
    const src = join(bundle, 'thread.c');
    writeFileSync(src, threadProgram);
    const cc = spawnSync('gcc', ['-static', '-O2', '-pthread', '-o', join(bundle, 'rootfs/bin/thread'), src], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const guide = JSON.parse(readFileSync(guideProfile, 'utf8')) as { syscalls: Array<{ names: string[]; action: string; errnoRet?: number }> };
    guide.syscalls[0]?.names.push('fstatfs', 'getdents64');
    const fallback = runWith(guide, ['/bin/thread']);
    expect(fallback).toContain('thread returned 42');
    const model = (p: object) => {
      const v = runtimeView(JSON.stringify(p), { nativeArch: arch });
      if (!v.ok) throw new Error(v.message);
      const stub = runcEnosysStub(v.profile, arch, runc?.version);
      return libcReadiness(v.profile, { ...(stub ? { stub } : {}), arch });
    };
    expect(model(guide)).toMatchObject({ clone3Ok: true, clone3: { errno: 38 } });
    const eperm = { ...guide, syscalls: [...guide.syscalls, { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] };
    expect(runWith(eperm, ['/bin/thread'])).toContain(`pthread_create: ${errnoText[1]}`);
    expect(model(eperm)).toMatchObject({ clone3Ok: false, clone3: { errno: 1 } });
  }, 60_000);
});
