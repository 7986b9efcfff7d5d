// SEC-4.1.1–4.1.3 and SEC-4.2.1–4.2.4 over replayed facts: pass and fail per ID, with the messages a person acts on.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { securityChecks } from '../../src/catalog/security.ts';
import { securityEvaluators } from '../../src/evaluate/security/index.ts';
import { securityRequests } from '../../src/facts/requirements-security.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts, directory, drift, file, missing, ran } from '../support/facts.ts';

const profile = profileSchema.parse(defaultProfile);
const webApp = '/var/lib/kubelet/seccomp/profiles/web-app.json';
const ev = (id: string) => securityEvaluators[id]!;
const dockerPath = fileURLToPath(new URL('../../fixtures/artifacts/seccomp/moby-profiles-seccomp-v0.2.3-default.json', import.meta.url));
const guideWebApp = fileURLToPath(new URL('../../fixtures/guide/web-app.json', import.meta.url));

/** A profile that satisfies every SEC-4.2 check: deny by default, modern libc calls, clone3 answered ENOSYS. */
const goodProfile = JSON.stringify(
  {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: ['read', 'write', 'openat', 'newfstatat', 'getdents64', 'rseq', 'getrandom', 'epoll_pwait', 'clone', 'exit_group'], action: 'SCMP_ACT_ALLOW' },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ],
  },
  null,
  2,
);

const apparmorProfiles = '/usr/bin/man (enforce)\ncri-containerd.apparmor.d (enforce)\nlsb_release (enforce)\n';

/** The compliant node plus the security evidence of a compliant Ubuntu worker. */
function secureFacts(): NodeFacts {
  return drift(compliantFacts(), {
    files: {
      '/proc/self/status': file('Name:\tcat\nSeccomp:\t0\nSeccomp_filters:\t0\n', 0o444),
      '/sys/module/apparmor/parameters/enabled': file('Y\n', 0o444),
      '/sys/kernel/security/apparmor/profiles': file(apparmorProfiles, 0o444),
      '/sys/kernel/security/lsm': file('lockdown,capability,landlock,yama,apparmor', 0o444),
      '/proc/cmdline': file('BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro\n', 0o444),
      [webApp]: file(goodProfile),
    },
    dirs: { '/run/containerd/io.containerd.runtime.v2.task/k8s.io': { state: 'present', entries: ['3f1c0a'] } },
    commands: { 'uname-m': ran('x86_64\n') },
  });
}
const withFiles = (files: Parameters<typeof drift>[1]['files'], base = secureFacts()) => drift(base, { files });

describe('catalog and requests', () => {
  it('declares exactly the evaluated IDs, in the security area', () => {
    expect(securityChecks.map((c) => c.id)).toEqual(Object.keys(securityEvaluators));
    expect(securityChecks.every((c) => c.area === 'security')).toBe(true);
    expect(securityChecks.filter((c) => c.level === 'advisory').map((c) => c.id)).toEqual(['SEC-4.1.3', 'SEC-4.2.4']);
  });
  it('asks for every profile the profile lists, under its seccomp root', () => {
    const other = profileSchema.parse({ ...defaultProfile, seccomp: { root: '/srv/kubelet/seccomp/', profiles: ['a.json', 'profiles/b.json'], mode: '0600' } });
    const paths = securityRequests(other).filter((r) => r.kind === 'file').map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['/srv/kubelet/seccomp/a.json', '/srv/kubelet/seccomp/profiles/b.json', '/proc/self/status']));
    expect(() => profileSchema.parse({ ...defaultProfile, seccomp: { ...defaultProfile.seccomp, profiles: ['../etc/shadow'] } })).toThrow();
    expect(() => profileSchema.parse({ ...defaultProfile, seccomp: { ...defaultProfile.seccomp, profiles: ['/abs.json'] } })).toThrow();
  });
  it('passes every check on the compliant node', () => {
    for (const id of Object.keys(securityEvaluators)) expect(ev(id)(secureFacts(), profile), id).toMatchObject({ status: 'pass' });
  });
});

describe('SEC-4.1.1 seccomp in the kernel', () => {
  const v = ev('SEC-4.1.1');
  it('passes on the kernel config', () => {
    expect(v(secureFacts(), profile)).toMatchObject({ status: 'pass', source: '/boot/config-6.8.0-45-generic', actual: 'CONFIG_SECCOMP=y, CONFIG_SECCOMP_FILTER=y' });
  });
  it('fails when the config lacks the filter', () => {
    const f = drift(secureFacts(), { commands: { 'kernel-config': ran('# source: /boot/config-6.8.0\nCONFIG_SECCOMP=y\n') } });
    const r = v(f, profile);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('CONFIG_SECCOMP_FILTER is not set in /boot/config-6.8.0');
  });
  it('falls back to /proc/self/status without a config', () => {
    const noConfig = drift(secureFacts(), { commands: { 'kernel-config': ran('# source: none\n', 1) } });
    expect(v(noConfig, profile)).toMatchObject({ status: 'pass', source: '/proc/self/status' });
    const noFilters = withFiles({ '/proc/self/status': file('Name:\tcat\nSeccomp:\t0\n') }, noConfig);
    expect(v(noFilters, profile)).toMatchObject({ status: 'fail' });
    expect(v(noFilters, profile).message).toContain('which kernel 6.8.0 prints whenever CONFIG_SECCOMP_FILTER=y');
    expect(v(withFiles({ '/proc/self/status': file('Name:\tcat\n') }, noConfig), profile).message).toContain('without CONFIG_SECCOMP');
    expect(v(withFiles({ '/proc/self/status': missing }, noConfig), profile).status).toBe('error');
  });
});

describe('SEC-4.1.2 AppArmor enabled', () => {
  const v = ev('SEC-4.1.2');
  it('passes with profiles loaded', () => {
    expect(v(secureFacts(), profile)).toMatchObject({ status: 'pass', actual: 'enabled, 3 profiles loaded (3 enforce, 0 other)' });
  });
  it('fails when disabled on the kernel command line, naming the cause', () => {
    const f = withFiles({
      '/sys/module/apparmor/parameters/enabled': file('N\n'),
      '/proc/cmdline': file('BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro apparmor=0\n'),
      '/sys/kernel/security/lsm': file('lockdown,capability,landlock,yama'),
    });
    const r = v(f, profile);
    expect(r).toMatchObject({ status: 'fail', actual: 'enabled = N' });
    expect(r.message).toContain('the kernel command line has apparmor=0');
    expect(r.message).toContain('active LSMs: lockdown,capability,landlock,yama');
  });
  it('fails without AppArmor in the kernel, and with no profiles loaded', () => {
    expect(v(withFiles({ '/sys/module/apparmor/parameters/enabled': missing }), profile)).toMatchObject({ status: 'fail', actual: 'not in the kernel' });
    const r = v(withFiles({ '/sys/kernel/security/apparmor/profiles': file('') }), profile);
    expect(r).toMatchObject({ status: 'fail', actual: 'enabled, no profiles loaded' });
    expect(r.message).toContain('systemctl enable --now apparmor');
  });
  it('is an error when securityfs is not mounted or nothing was read', () => {
    expect(v(withFiles({ '/sys/kernel/security/apparmor/profiles': missing }), profile).message).toContain('securityfs is not mounted');
    expect(v(withFiles({ '/sys/module/apparmor/parameters/enabled': { state: 'unreadable', error: 'Permission denied' } }), profile).status).toBe('error');
  });
});

describe('SEC-4.1.3 containerd AppArmor profile', () => {
  const v = ev('SEC-4.1.3');
  const tasks = '/run/containerd/io.containerd.runtime.v2.task/k8s.io';
  it('passes in enforce mode and fails in complain mode', () => {
    expect(v(secureFacts(), profile)).toMatchObject({ status: 'pass', actual: 'cri-containerd.apparmor.d (enforce)' });
    const r = v(withFiles({ '/sys/kernel/security/apparmor/profiles': file('cri-containerd.apparmor.d (complain)\n') }), profile);
    expect(r).toMatchObject({ status: 'fail', actual: 'cri-containerd.apparmor.d (complain)' });
  });
  it('skips with the reason when no container has run yet', () => {
    const f = drift(withFiles({ '/sys/kernel/security/apparmor/profiles': file('/usr/bin/man (enforce)\n') }), { dirs: { [tasks]: { state: 'missing' } } });
    const r = v(f, profile);
    expect(r).toMatchObject({ status: 'skip', actual: 'not loaded yet' });
    expect(r.message).toContain('loads it when it starts the first container');
  });
  it('fails when containers run without it, and skips when AppArmor is off', () => {
    const r = v(withFiles({ '/sys/kernel/security/apparmor/profiles': file('/usr/bin/man (enforce)\n') }), profile);
    expect(r).toMatchObject({ status: 'fail', actual: 'not loaded, 1 CRI containers running' });
    expect(v(withFiles({ '/sys/module/apparmor/parameters/enabled': file('N\n') }), profile)).toMatchObject({ status: 'skip' });
  });
});

describe('SEC-4.2.1 profile installed', () => {
  const v = ev('SEC-4.2.1');
  it('passes root-owned 0644 and stricter', () => {
    expect(v(secureFacts(), profile)).toMatchObject({ status: 'pass', actual: 'profiles/web-app.json: file, uid 0, mode 0644' });
    expect(v(withFiles({ [webApp]: file(goodProfile, 0o600) }), profile).status).toBe('pass');
  });
  it('fails missing, group-writable, not root-owned or not a file', () => {
    const gone = v(withFiles({ [webApp]: missing }), profile);
    expect(gone).toMatchObject({ status: 'fail' });
    expect(gone.message).toContain(`install -D -o root -g root -m 0644 web-app.json ${webApp}`);
    expect(v(withFiles({ [webApp]: file(goodProfile, 0o664) }), profile).message).toContain('grants 0020 beyond 0644');
    expect(v(withFiles({ [webApp]: file(goodProfile, 0o644, 1000) }), profile).message).toContain('owned by uid 1000, not root');
    expect(v(withFiles({ [webApp]: directory() }), profile).message).toContain('is a directory, not a file');
    expect(v(withFiles({ [webApp]: { state: 'unreadable', error: 'Permission denied' } }), profile).status).toBe('error');
  });
});

describe('SEC-4.2.2 profile valid', () => {
  const v = ev('SEC-4.2.2');
  it('passes a valid profile, saying what it checked against', () => {
    const r = v(secureFacts(), profile);
    expect(r.status).toBe('pass');
    expect(r.message).toContain('each listed architecture (SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32) against libseccomp v2.6.1');
  });
  it('fails the first unknown name and bad action with their JSON paths', () => {
    const r = v(withFiles({ [webApp]: file(goodProfile.replace('"getrandom"', '"get_random"')) }), profile);
    expect(r.status).toBe('fail');
    expect(r.message).toContain(`${webApp}: syscalls[0].names[6] "get_random" is not a syscall on any architecture`);
    const a = v(withFiles({ [webApp]: file(goodProfile.replace('"SCMP_ACT_ALLOW"', '"SCMP_ACT_ALLOWED"')) }), profile);
    expect(a.message).toContain(`${webApp}: syscalls[0].action "SCMP_ACT_ALLOWED" is not a known action`);
    const j = v(withFiles({ [webApp]: file('{"defaultAction": "SCMP_ACT_ERRNO",}') }), profile);
    expect(j.message).toContain('JSON does not parse at line 1, column 36');
  });
  it('skips when nothing is installed and errs when unreadable', () => {
    expect(v(withFiles({ [webApp]: missing }), profile)).toMatchObject({ status: 'skip', actual: 'not installed' });
    expect(v(withFiles({ [webApp]: { state: 'unreadable', error: 'Permission denied' } }), profile).status).toBe('error');
  });
  it('fails Docker\'s default profile installed as a localhost profile: containerd drops its capability conditions', () => {
    // containerd contrib/seccomp/seccomp.go (v1.6.20, v2.0.7) WithProfile: json.Unmarshal(f, s.Linux.Seccomp) into
    // runtime-spec specs.LinuxSeccomp, whose LinuxSyscall has only names, action, errnoRet and args.
    const r = v(withFiles({ [webApp]: file(readFileSync(dockerPath, 'utf8')) }), profile);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('syscalls[16].includes: the rule\'s SCMP_ACT_ALLOW for open_by_handle_at was meant to apply only when caps ["CAP_DAC_READ_SEARCH"]; it applies to every container');
    expect(r.message).toContain('syscalls[17].includes: the rule\'s SCMP_ACT_ALLOW for bpf, clone, clone3, fanotify_init, fsconfig, fsmount and 20 more was meant to apply only when caps ["CAP_SYS_ADMIN"]');
    expect(r.actual).toMatch(/^containerd drops 25 fields that change the filter: syscalls\[1\]\.includes, /);
  });
  it('fails a rule with only Docker\'s singular "name": containerd decodes it as a rule with no names, which is no rule', () => {
    const named = JSON.parse(goodProfile) as { syscalls: Array<Record<string, unknown>> };
    named.syscalls.push({ name: 'ptrace', action: 'SCMP_ACT_ALLOW', comment: 'debuggers' });
    const r = v(withFiles({ [webApp]: file(JSON.stringify(named)) }), profile);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('syscalls[2].name: only "name": "ptrace" — the rule has no "names", so it is no rule');
  });
  it('fails a profile containerd cannot decode (the pod would not start), and notes ignored comments', () => {
    const r = v(withFiles({ [webApp]: file(goodProfile.replace('"errnoRet": 38', '"errnoRet": -1')) }), profile);
    expect(r).toMatchObject({ status: 'fail', actual: "invalid: syscalls[1].errnoRet: Go's encoding/json cannot unmarshal number into uint" });
    expect(r.message).toContain('every pod using it fails to start');
    const commented = JSON.parse(goodProfile) as Record<string, unknown>;
    commented.comment = 'web app';
    const ok = v(withFiles({ [webApp]: file(JSON.stringify(commented)) }), profile);
    expect(ok.status).toBe('pass');
    expect(ok.message).toContain('containerd ignores comment');
  });
});

describe('SEC-4.2.3 deny by default', () => {
  const v = ev('SEC-4.2.3');
  it('passes ERRNO and KILL_PROCESS, fails LOG and ALLOW', () => {
    expect(v(secureFacts(), profile)).toMatchObject({ status: 'pass', actual: `${webApp}: SCMP_ACT_ERRNO` });
    expect(v(withFiles({ [webApp]: file(goodProfile.replace('"defaultAction": "SCMP_ACT_ERRNO"', '"defaultAction": "SCMP_ACT_KILL_PROCESS"')) }), profile).status).toBe('pass');
    const log = v(withFiles({ [webApp]: file(goodProfile.replace('"defaultAction": "SCMP_ACT_ERRNO"', '"defaultAction": "SCMP_ACT_LOG"')) }), profile);
    expect(log).toMatchObject({ status: 'fail' });
    expect(log.message).toContain('has defaultAction SCMP_ACT_LOG: every syscall it does not list runs (and is only logged)');
    expect(v(withFiles({ [webApp]: file(goodProfile.replace('"defaultAction": "SCMP_ACT_ERRNO"', '"defaultAction": "SCMP_ACT_ALLOW"')) }), profile).status).toBe('fail');
  });
  it('still judges a profile whose only fault is a syscall name, and skips one that does not parse', () => {
    expect(v(withFiles({ [webApp]: file(goodProfile.replace('"getrandom"', '"get_random"')) }), profile).status).toBe('pass');
    expect(v(withFiles({ [webApp]: file('{') }), profile).status).toBe('skip');
  });
});

describe('SEC-4.2.4 modern libc', () => {
  const v = ev('SEC-4.2.4');
  it('passes allowed calls with clone3 answered ENOSYS, by rule or by defaultErrnoRet', () => {
    expect(v(secureFacts(), profile).status).toBe('pass');
    const byDefault = JSON.parse(goodProfile) as { defaultErrnoRet?: number; syscalls: unknown[] };
    byDefault.defaultErrnoRet = 38;
    byDefault.syscalls = byDefault.syscalls.slice(0, 1);
    expect(v(withFiles({ [webApp]: file(JSON.stringify(byDefault)) }), profile).status).toBe('pass');
  });
  it('fails clone3 answered EPERM', () => {
    const r = v(withFiles({ [webApp]: file(goodProfile.replace('"errnoRet": 38', '"errnoRet": 1')) }), profile);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('answers clone3 with EPERM (SCMP_ACT_ERRNO from syscalls[1]), which glibc ≥ 2.34 does not retry');
  });
  it("fails the guide's profile for what it does not allow; runc's ENOSYS stub answers its clone3, not EPERM", () => {
    const guide = readFileSync(guideWebApp, 'utf8');
    const facts = withFiles({ [webApp]: file(guide) });
    expect(ev('SEC-4.2.2')(facts, profile).status).toBe('pass');
    expect(ev('SEC-4.2.3')(facts, profile).status).toBe('pass');
    const r = v(facts, profile);
    expect(r.status).toBe('fail');
    expect(r.message).toContain(
      `${webApp} does not allow newfstatat (it allows only the older stat, fstat), getdents64 (it allows only the older getdents), rseq (ENOSYS from runc's stub), getrandom (ENOSYS from runc's stub), epoll_pwait (it allows only the older epoll_wait)`,
    );
    // runc libcontainer/seccomp/patchbpf/enosys_linux.go (v1.1.5 and v1.3.3): generatePatch prepends a stub that
    // answers ENOSYS for syscall numbers above the largest one the profile names (prlimit64 = 302 on x86_64 here),
    // so clone3 (435) never reaches defaultAction: glibc ≥ 2.34 sees ENOSYS and falls back to clone.
    expect(r.message).not.toContain('clone3');
    expect(r.actual).toContain("clone3 ENOSYS (SCMP_ACT_ERRNO from runc's ENOSYS stub (clone3 is 435 on SCMP_ARCH_X86_64, above prlimit64 = 302");
  });
  it('without "architectures", runc before 1.1.15 adds no stub: clone3 gets the default EPERM; from 1.1.15 the native architecture is implied', () => {
    // runc commit ccc500c42 "seccomp: patchbpf: always include native architecture in stub" (first in v1.1.15, v1.2.0);
    // before it findLastSyscalls loops only over config.Architectures.
    const guide = JSON.parse(readFileSync(guideWebApp, 'utf8')) as { architectures?: string[] };
    delete guide.architectures;
    const onRunc = (version: string) => drift(withFiles({ [webApp]: file(JSON.stringify(guide)) }), { commands: { 'runc-version': ran(`runc version ${version}\ncommit: x\nspec: 1.0.2-dev\n`) } });
    const old = v(onRunc('1.1.5+ds1'), profile);
    expect(old.message).toContain('it answers clone3 with EPERM (SCMP_ACT_ERRNO from defaultAction), which glibc ≥ 2.34 does not retry with clone');
    const fixed = v(onRunc('1.1.15'), profile);
    expect(fixed.actual).toContain("clone3 ENOSYS (SCMP_ACT_ERRNO from runc's ENOSYS stub");
    expect(fixed.message).not.toContain('clone3');
  });
});
