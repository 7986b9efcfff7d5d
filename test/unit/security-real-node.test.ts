// The SEC requests compiled into the real probe script and run on this machine: the records parse back into the
// facts the SEC evaluators read, and their verdicts match what this kernel is.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { securityEvaluators } from '../../src/evaluate/security/index.ts';
import { factsFromProbe } from '../../src/facts/gather.ts';
import { parseProbeOutput } from '../../src/facts/probe-parse.ts';
import { compileProbe } from '../../src/facts/probe-script.ts';
import { cmd, hostAndRuntimeRequests } from '../../src/facts/requirements.ts';
import { securityRequests } from '../../src/facts/requirements-security.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';

const profile = profileSchema.parse(defaultProfile);
const webApp = '/var/lib/kubelet/seccomp/profiles/web-app.json';

/** SEC-4.1.2's verdict as the kernel's own files give it, read here without the probe. */
function apparmorTruth(): { status: string; actual: string } {
  const enabled = '/sys/module/apparmor/parameters/enabled';
  if (!existsSync(enabled)) return { status: 'fail', actual: 'not in the kernel' };
  const value = readFileSync(enabled, 'utf8').trim();
  if (value !== 'Y') return { status: 'fail', actual: `enabled = ${value || '(empty)'}` };
  const profiles = '/sys/kernel/security/apparmor/profiles';
  if (!existsSync(profiles)) return { status: 'error', actual: 'enabled, profiles unknown' };
  const loaded = readFileSync(profiles, 'utf8').split('\n').filter((l) => /\(\w+\)\s*$/.test(l));
  return loaded.length === 0 ? { status: 'fail', actual: 'enabled, no profiles loaded' } : { status: 'pass', actual: 'enabled, profiles loaded' };
}
const canProbe = process.platform === 'linux' && spawnSync('sh', ['-c', 'command -v stat']).status === 0;

describe.skipIf(!canProbe)('SEC probe on this machine (needs Linux with coreutils)', () => {
  const shared = hostAndRuntimeRequests(profile).filter((r) => r.kind === 'script' || (r.kind === 'command' && r.name === cmd.unameRelease));
  const probe = compileProbe([...shared, ...securityRequests(profile)], 'sectest00001');
  const out = spawnSync('sh', ['-s'], { input: probe.text, encoding: 'utf8', timeout: 20_000 });
  const p = parseProbeOutput(out.stdout, probe.marker);
  const facts: NodeFacts = factsFromProbe(p, { node: 'worker-01', target: 'local', roundTrips: 1, durationMs: 0 });
  const status = readFileSync('/proc/self/status', 'utf8');

  it('gathers every SEC record', () => {
    for (const r of securityRequests(profile)) {
      if (r.kind === 'file') expect(facts.files[r.path], r.path).toBeDefined();
      if (r.kind === 'dir') expect(facts.dirs[r.path], r.path).toBeDefined();
    }
    expect(facts.commands['uname-m']).toMatchObject({ state: 'ran', exitCode: 0 });
  });
  it('SEC-4.1.1 agrees with the Seccomp lines of this kernel', () => {
    const v = securityEvaluators['SEC-4.1.1']!(facts, profile);
    expect(v.status).toBe(/^Seccomp_filters:/m.test(status) ? 'pass' : 'fail');
  });
  it('SEC-4.1.2 agrees with what this kernel says about AppArmor', () => {
    const v = securityEvaluators['SEC-4.1.2']!(facts, profile);
    expect({ status: v.status, actual: v.actual.replace(/^enabled, \d+ profiles loaded .*$/, 'enabled, profiles loaded') }).toEqual(apparmorTruth());
  });
  const installed = existsSync(webApp);
  it.skipIf(installed)(`SEC-4.2.x see no profile here (skipped: ${webApp} is installed on this machine)`, () => {
    expect(securityEvaluators['SEC-4.2.1']!(facts, profile).status).toBe('fail');
    expect(securityEvaluators['SEC-4.2.2']!(facts, profile).status).toBe('skip');
  });
});
