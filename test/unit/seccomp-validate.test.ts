// SEC-4.2.2's validator and the policy behind SEC-4.2.3/4.2.4 over real profiles: Docker's and containerd's
// defaults validate clean and deny by default; the guide's profile is valid but cannot run a modern libc.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { archFamilies } from '../../src/seccomp/arches.ts';
import { parseJson } from '../../src/seccomp/json.ts';
import { deniesByDefault, describeAnswer, libcReadiness } from '../../src/seccomp/policy.ts';
import { validateSeccompDocument, validateSeccompProfile } from '../../src/seccomp/validate.ts';

const seccompDir = fileURLToPath(new URL('../../fixtures/artifacts/seccomp/', import.meta.url));
const guideWebApp = fileURLToPath(new URL('../../fixtures/guide/web-app.json', import.meta.url));

/** The guide's web-app.json, as its `sudo tee ... <<'EOF'` step writes it (fixtures/guide/PROVENANCE.md). */
export function guideProfile(): string {
  return readFileSync(guideWebApp, 'utf8');
}

const ok = (v: ReturnType<typeof validateSeccompProfile>) => {
  if (!v.ok) throw new Error(v.message);
  return v;
};

describe('real Docker and containerd default profiles (fixtures/artifacts/seccomp)', () => {
  const files = readdirSync(seccompDir).filter((f) => f.endsWith('.json'));
  it('has the nine recorded files', () => expect(files).toHaveLength(9));
  it.each(files)('%s validates clean and denies by default', (f) => {
    const text = readFileSync(`${seccompDir}${f}`, 'utf8');
    const v = f.includes('ctr-container-info') ? validateSeccompDocument((JSON.parse(text) as { Spec: { linux: { seccomp: unknown } } }).Spec.linux.seccomp) : validateSeccompProfile(text);
    expect(v.ok ? '' : v.message).toBe('');
    if (!v.ok) throw new Error(v.message); // unreachable after the assertion above; narrows the type
    expect(deniesByDefault(v.profile)).toBe(true);
    expect(v.profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    // They carry 32-bit and other-ABI names (recv, send) that the runtime skips where absent.
    if (f.startsWith('containerd')) expect(v.foreignNames).toEqual(['recv', 'send']);
    // All of them answer clone3 with ENOSYS for a container without CAP_SYS_ADMIN.
    const r = libcReadiness(v.profile);
    expect(r.missing.map((m) => m.name)).toEqual([]);
    expect(r.clone3.errno).toBe(38);
    expect(r.clone3Ok).toBe(true);
  });
});

describe("the guide's web-app.json", () => {
  it('is valid and denies by default, but cannot run glibc ≥ 2.34', () => {
    const v = ok(validateSeccompProfile(guideProfile()));
    expect(v.checkedAgainst).toContain('each listed architecture (SCMP_ARCH_X86_64)');
    expect(deniesByDefault(v.profile)).toBe(true);
    const r = libcReadiness(v.profile);
    expect(r.missing.map((m) => m.name)).toEqual(['newfstatat', 'getdents64', 'rseq', 'getrandom', 'epoll_pwait']);
    expect(r.missing.find((m) => m.name === 'getdents64')?.legacyAllowed).toEqual(['getdents']);
    expect(r.clone3Ok).toBe(false);
    expect(describeAnswer(r.clone3)).toBe('EPERM (SCMP_ACT_ERRNO from defaultAction)');
  });
  it('fails on an unknown syscall name, with its JSON path', () => {
    const v = validateSeccompProfile(guideProfile().replace('"bind"', '"bindd"'));
    expect(v).toMatchObject({ ok: false, path: 'syscalls[0].names[4]', message: 'syscalls[0].names[4] "bindd" is not a syscall on any architecture (libseccomp v2.6.1 syscall table)' });
  });
  it('fails on a bad action, with its JSON path', () => {
    const v = validateSeccompProfile(guideProfile().replace('"SCMP_ACT_ALLOW"', '"SCMP_ACT_PERMIT"'));
    expect(v.ok).toBe(false);
    if (v.ok) throw new Error('expected a failure'); // unreachable after the assertion above; narrows the type
    expect(v.path).toBe('syscalls[0].action');
    expect(v.message).toMatch(/^syscalls\[0\]\.action "SCMP_ACT_PERMIT" is not a known action \(SCMP_ACT_KILL, /);
    expect(validateSeccompProfile(guideProfile().replace('"SCMP_ACT_ERRNO"', '"ERRNO"'))).toMatchObject({ ok: false, path: 'defaultAction' });
  });
  it('names the first name that does not exist on an added architecture', () => {
    const v = validateSeccompProfile(guideProfile().replace('["SCMP_ARCH_X86_64"]', '["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"]'));
    expect(v).toMatchObject({ ok: false, message: 'syscalls[0].names[2] "access" does not exist on SCMP_ARCH_AARCH64' });
    const moved = validateSeccompProfile(guideProfile().replace('["SCMP_ARCH_X86_64"]', '["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]'));
    // ARM has access; the compat ABI counts for its native architecture's names.
    expect(moved).toMatchObject({ ok: false, message: 'syscalls[0].names[3] "arch_prctl" does not exist on SCMP_ARCH_AARCH64 or SCMP_ARCH_ARM' });
  });
  it('points a JSON syntax error at its line and column', () => {
    const v = validateSeccompProfile(guideProfile().replace('"brk",', '"brk"'));
    expect(v).toMatchObject({ ok: false, path: '', message: "JSON does not parse at line 8, column 9: Expected ',' or ']' after array element" });
  });
});

describe('profile structure', () => {
  const base = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'] };
  const bad = (doc: unknown) => {
    const v = validateSeccompDocument(doc);
    return v.ok ? 'valid' : v.message;
  };
  it('reports unknown architectures, operators, errnoRet misuse and both arch forms', () => {
    expect(bad({ ...base, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AMD64'] })).toMatch(/^architectures\[1\] "SCMP_ARCH_AMD64" is not a known architecture/);
    expect(bad({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQUAL' }] }] })).toMatch(/^syscalls\[0\]\.args\[0\]\.op "SCMP_CMP_EQUAL"/);
    expect(bad({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }] })).toMatch(/^syscalls\[0\]\.errnoRet is set, but only SCMP_ACT_ERRNO/);
    expect(bad({ ...base, archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] })).toMatch(/^archMap is set together with "architectures"/);
    expect(bad({ ...base, syscalls: [{ names: ['read'], action: 'SCMP_ACT_NOTIFY' }] })).toMatch(/needs a top-level "listenerPath"/);
    expect(bad([])).toMatch(/not a JSON object/);
    expect(bad({ ...base, syscalls: [{ name: 'read', action: 'SCMP_ACT_ALLOW' }, { name: 'opne', action: 'SCMP_ACT_ALLOW' }] })).toMatch(/^syscalls\[1\]\.name "opne"/);
  });
  it('judges a profile without architectures on the node\'s own', () => {
    const doc = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['open'], action: 'SCMP_ACT_ALLOW' }] };
    expect(validateSeccompDocument(doc, { nativeArch: 'SCMP_ARCH_X86_64' }).ok).toBe(true);
    expect(bad({ ...doc, architectures: [] })).toBe('valid');
    expect(validateSeccompDocument(doc, { nativeArch: 'SCMP_ARCH_AARCH64' })).toMatchObject({ ok: false, message: 'syscalls[0].names[0] "open" does not exist on SCMP_ARCH_AARCH64' });
  });
  it('groups compat ABIs with their native architecture', () => {
    expect(archFamilies(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'])).toEqual([['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], ['SCMP_ARCH_AARCH64']]);
    expect(archFamilies(['SCMP_ARCH_X86'])).toEqual([['SCMP_ARCH_X86']]);
  });
  it('places parse errors by line and column', () => {
    expect(parseJson('{\n  "a": 1,\n}')).toMatchObject({ ok: false, line: 3, column: 1 });
    expect(parseJson('')).toMatchObject({ ok: false, line: 1, column: 1, reason: 'unexpected end of input' });
  });
});
