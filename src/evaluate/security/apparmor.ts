// SEC-4.1.2 and SEC-4.1.3: AppArmor is on with profiles loaded, and containerd's own profile confines containers.
import { securityPaths } from '../../facts/requirements-security.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { readFile } from '../host/evidence.ts';
import { error, fail, pass, skip, type Verdict } from '../verdict.ts';

export const containerdProfile = 'cri-containerd.apparmor.d';

export interface LoadedProfile {
  readonly name: string;
  readonly mode: string;
}

/** /sys/kernel/security/apparmor/profiles: one "name (mode)" per line; names may contain spaces. */
export function parseApparmorProfiles(text: string): LoadedProfile[] {
  return text
    .split('\n')
    .map((l) => /^(.*\S)\s+\((\w+)\)\s*$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1] ?? '', mode: m[2] ?? '' }));
}

/** Why AppArmor is off, from what the kernel was booted with and which LSMs it runs. */
export function apparmorOffCause(facts: NodeFacts): string {
  const causes: string[] = [];
  const cmdline = readFile(facts, securityPaths.cmdline);
  if (cmdline.kind === 'text') {
    for (const token of cmdline.text.trim().split(/\s+/)) {
      const [key, value = ''] = token.split('=', 2);
      if (key === 'apparmor' && value === '0') causes.push('the kernel command line has apparmor=0');
      if (key === 'security' && value !== 'apparmor') causes.push(`the kernel command line selects security=${value}`);
      if (key === 'lsm' && !value.split(',').includes('apparmor')) causes.push(`the kernel command line's lsm=${value} leaves AppArmor out`);
    }
  }
  const lsm = readFile(facts, securityPaths.lsm);
  if (lsm.kind === 'text' && !lsm.text.split(',').map((s) => s.trim()).includes('apparmor')) causes.push(`active LSMs: ${lsm.text.trim() || '(none)'}`);
  return causes.join('; ');
}

type Enabled = { readonly kind: 'on' } | { readonly kind: 'off'; readonly actual: string; readonly why: string } | { readonly kind: 'unknown'; readonly reason: string };

function apparmorEnabled(facts: NodeFacts): Enabled {
  const path = securityPaths.apparmorEnabled;
  const f = readFile(facts, path);
  if (f.kind === 'unknown') return { kind: 'unknown', reason: f.reason };
  const cause = apparmorOffCause(facts);
  if (f.kind === 'missing') return { kind: 'off', actual: 'not in the kernel', why: `${path} does not exist: this kernel has no AppArmor${cause ? ` (${cause})` : ''}` };
  const value = f.text.trim();
  if (value === 'Y') return { kind: 'on' };
  return { kind: 'off', actual: `enabled = ${value || '(empty)'}`, why: `AppArmor is built in but disabled (${path} = ${value || '(empty)'})${cause ? `: ${cause}` : ''}` };
}

export function apparmorOn(facts: NodeFacts): Verdict {
  const expected = 'AppArmor enabled (Y) with profiles loaded';
  const source = `${securityPaths.apparmorEnabled}, ${securityPaths.apparmorProfiles}`;
  const on = apparmorEnabled(facts);
  if (on.kind === 'unknown') return error({ expected, actual: 'unknown', source }, on.reason);
  if (on.kind === 'off') return fail({ expected, actual: on.actual, source }, `${on.why}. Containers run without AppArmor confinement. Fix the boot parameters and reboot.`);
  const profiles = readFile(facts, securityPaths.apparmorProfiles);
  if (profiles.kind === 'missing') {
    return error({ expected, actual: 'enabled, profiles unknown', source }, `AppArmor is enabled but ${securityPaths.apparmorProfiles} does not exist: securityfs is not mounted at /sys/kernel/security (\`mount -t securityfs securityfs /sys/kernel/security\`).`);
  }
  if (profiles.kind === 'unknown') return error({ expected, actual: 'enabled, profiles unknown', source }, profiles.reason);
  const loaded = parseApparmorProfiles(profiles.text);
  if (loaded.length === 0) {
    return fail({ expected, actual: 'enabled, no profiles loaded', source }, 'AppArmor is enabled but no profile is loaded: the apparmor service did not run. `systemctl enable --now apparmor` (or `apparmor_parser -r /etc/apparmor.d/`).');
  }
  const enforce = loaded.filter((p) => p.mode === 'enforce').length;
  return pass({ expected, actual: `enabled, ${loaded.length} profiles loaded (${enforce} enforce, ${loaded.length - enforce} other)`, source });
}

export function containerdConfined(facts: NodeFacts): Verdict {
  const expected = `${containerdProfile} loaded in enforce mode`;
  const source = securityPaths.apparmorProfiles;
  const on = apparmorEnabled(facts);
  if (on.kind === 'unknown') return error({ expected, actual: 'unknown', source }, on.reason);
  if (on.kind === 'off') return skip({ expected, actual: on.actual, source }, `AppArmor is off, so no container can be confined (SEC-4.1.2): ${on.why}.`);
  const profiles = readFile(facts, source);
  if (profiles.kind !== 'text') return error({ expected, actual: 'unknown', source }, profiles.kind === 'missing' ? `${source} does not exist: securityfs is not mounted` : profiles.reason);
  const entry = parseApparmorProfiles(profiles.text).find((p) => p.name === containerdProfile);
  if (entry?.mode === 'enforce') return pass({ expected, actual: `${containerdProfile} (enforce)`, source });
  if (entry) return fail({ expected, actual: `${containerdProfile} (${entry.mode})`, source }, `${containerdProfile} is loaded in ${entry.mode} mode: containers are not confined, only logged. Reload it in enforce mode (restart containerd after \`aa-enforce\`), or reboot.`);
  const tasks = facts.dirs[securityPaths.criTasks];
  const running = tasks?.state === 'present' ? tasks.entries.length : 0;
  if (running > 0) {
    return fail(
      { expected, actual: `not loaded, ${running} CRI containers running`, source: `${source}, ${securityPaths.criTasks}` },
      `${running} Kubernetes containers run on this node but ${containerdProfile} is not loaded: they run without containerd's AppArmor profile (AppArmor was off when containerd started them, or the CRI config sets disable_apparmor = true).`,
    );
  }
  const why = tasks === undefined ? 'the probe did not list running containers' : `no Kubernetes container runs (${securityPaths.criTasks} ${tasks.state === 'missing' ? 'does not exist' : 'is empty'})`;
  return skip({ expected, actual: 'not loaded yet', source }, `${containerdProfile} is not loaded and ${why}: containerd loads it when it starts the first container, so there is nothing to judge until one has run.`);
}
