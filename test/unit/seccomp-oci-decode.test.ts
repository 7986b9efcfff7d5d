// The decoding containerd applies to a localhost/ profile and the stub runc puts in front of it, case by case.
// containerd contrib/seccomp/seccomp.go WithProfile (v1.6.20, v2.0.7): json.Unmarshal into specs.LinuxSeccomp
// (runtime-spec specs-go/config.go: LinuxSeccomp{defaultAction, defaultErrnoRet, architectures, flags,
// listenerPath, listenerMetadata, syscalls}, LinuxSyscall{names, action, errnoRet, args}).
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { addsNativeArch, runcEnosysStub, stubAnswers } from '../../src/seccomp/enosys-stub.ts';
import { decodeAsOci } from '../../src/seccomp/oci-decode.ts';
import { runtimeView } from '../../src/seccomp/runtime-view.ts';

describe('decodeAsOci: Go encoding/json into specs.LinuxSeccomp', () => {
  it('keeps the OCI fields and drops Docker\'s, saying what each loss does', () => {
    const d = decodeAsOci({
      defaultAction: 'SCMP_ACT_ERRNO',
      archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
      comment: 'x',
      syscalls: [
        { name: 'ptrace', action: 'SCMP_ACT_ALLOW' },
        { names: ['read'], name: 'write', action: 'SCMP_ACT_ALLOW' },
        { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38, excludes: { caps: ['CAP_SYS_ADMIN'] }, comment: 'fallback' },
      ],
    });
    expect(d.ok).toBe(true);
    if (!d.ok) throw new Error(d.message);
    expect(d.doc).toEqual({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['read'], action: 'SCMP_ACT_ALLOW' },
        { names: ['mount'], action: 'SCMP_ACT_ALLOW' },
        { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
      ],
    });
    expect(d.ruleIndex).toEqual([1, 2, 3]);
    expect(d.dropped.map((x) => [x.path, x.effect])).toEqual([
      ['archMap', 'ignored'],
      ['comment', 'ignored'],
      ['syscalls[0].name', 'rule-lost'],
      ['syscalls[1].name', 'name-lost'],
      ['syscalls[2].includes', 'condition-lost'],
      ['syscalls[3].excludes', 'condition-lost'],
      ['syscalls[3].comment', 'ignored'],
    ]);
  });
  it('matches keys case-insensitively, as encoding/json does when no tag matches exactly', () => {
    const d = decodeAsOci({ DefaultAction: 'SCMP_ACT_ERRNO', SYSCALLS: [{ Names: ['read'], Action: 'SCMP_ACT_ALLOW' }] });
    expect(d.ok && d.doc).toEqual({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] });
  });
  it('fails on a type Go cannot put into the struct (containerd then fails the container\'s creation)', () => {
    expect(decodeAsOci({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: 'read', action: 'SCMP_ACT_ALLOW' }] })).toEqual({
      ok: false,
      path: 'syscalls[0].names',
      message: "syscalls[0].names: Go's encoding/json cannot unmarshal string into []string",
    });
    expect(decodeAsOci({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1.5 }).ok).toBe(false);
    expect(decodeAsOci([]).ok).toBe(false);
  });
  it('a JSON null document decodes to an empty profile; null fields stay unset', () => {
    expect(decodeAsOci(null)).toMatchObject({ ok: true, doc: {} });
    expect(decodeAsOci({ defaultAction: 'SCMP_ACT_ERRNO', architectures: null, syscalls: null })).toMatchObject({ ok: true, doc: { defaultAction: 'SCMP_ACT_ERRNO' } });
  });
  it('runtimeView reports paths into the file as written, after dropping name-only rules', () => {
    const v = runtimeView(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ name: 'ptrace', action: 'SCMP_ACT_ALLOW' }, { names: ['opne'], action: 'SCMP_ACT_ALLOW' }] }), { nativeArch: 'SCMP_ARCH_X86_64' });
    expect(v).toMatchObject({ ok: false, stage: 'invalid' });
    expect(!v.ok && v.message).toMatch(/^syscalls\[1\]\.names\[0\] "opne" is not a syscall/);
  });
});

describe("runc's ENOSYS stub (libcontainer/seccomp/patchbpf/enosys_linux.go)", () => {
  const profile = (o: object) => {
    const v = runtimeView(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'openat', 'clone'], action: 'SCMP_ACT_ALLOW' }], ...o }));
    if (!v.ok) throw new Error(v.message);
    return v.profile;
  };
  const runc = (v: string) => new semver.SemVer(v);
  it('answers ENOSYS above the highest named syscall on each listed architecture', () => {
    const stub = runcEnosysStub(profile({}), 'SCMP_ARCH_X86_64', runc('1.1.5'));
    expect(stub?.highest.get('SCMP_ARCH_X86_64')).toEqual({ name: 'openat', number: 257 });
    expect(stubAnswers(stub, 'clone3', 'SCMP_ARCH_X86_64')).toEqual({ above: 'openat', number: 435, highest: 257 });
    expect(stubAnswers(stub, 'mkdir', 'SCMP_ARCH_X86_64')).toBeUndefined();
  });
  it('adds no stub when defaultErrnoRet is already ENOSYS or the default lets calls through (generatePatch)', () => {
    expect(runcEnosysStub(profile({ defaultErrnoRet: 38 }), 'SCMP_ARCH_X86_64', runc('1.3.3'))).toBeUndefined();
    for (const a of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE']) expect(runcEnosysStub(profile({ defaultAction: a }), 'SCMP_ARCH_X86_64', runc('1.3.3')), a).toBeUndefined();
  });
  it('covers an unlisted native architecture only from runc 1.1.15 / 1.2.0 (commit ccc500c42)', () => {
    expect([addsNativeArch(runc('1.1.14')), addsNativeArch(runc('1.1.15')), addsNativeArch(runc('1.2.0')), addsNativeArch(runc('1.3.3'))]).toEqual([false, true, true, true]);
    const none = profile({ architectures: [] });
    expect(runcEnosysStub(none, 'SCMP_ARCH_X86_64', runc('1.1.5'))).toBeUndefined();
    expect(runcEnosysStub(none, 'SCMP_ARCH_X86_64', runc('1.2.0'))?.highest.get('SCMP_ARCH_X86_64')?.number).toBe(257);
    // runc's version unknown: assume the stub covers only the listed architectures, which every runc ≥ 1.0 does.
    expect(runcEnosysStub(none, 'SCMP_ARCH_X86_64', undefined)).toBeUndefined();
  });
});
