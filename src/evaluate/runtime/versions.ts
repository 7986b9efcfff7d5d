// RT-2.1.3 and RT-2.1.4: containerd and runc at or above the profile's fixed release of their line.
// The running daemon's version wins over the binary on disk: an upgrade without a restart is still vulnerable.
import semver from 'semver';
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { cmd } from '../../facts/requirements.ts';
import { checkFloor, parseContainerdVersion, parseCtrVersion, parseRuncVersion, type ParsedVersion } from '../../parse/version.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { commandFact, oneLine } from './evidence.ts';

/** Leaky Vessels: the runc fix every 1.1.x before it lacks, named when a runc is that old. */
const leakyVessels = { cve: 'CVE-2024-21626', fixed: '1.1.12' } as const;

const floorsText = (floors: Readonly<Record<string, string>>): string =>
  `≥ the fixed release of its line (${Object.entries(floors)
    .map(([line, v]) => `${line}: ${v}`)
    .join(', ')})`;

function judge(name: string, found: ParsedVersion, floors: Readonly<Record<string, string>>, source: string, note: string): Verdict {
  const e = { expected: floorsText(floors), actual: found.raw === found.version.version ? found.raw : `${found.version.version} (printed "${found.raw}")`, source };
  const v = found.version.version;
  const tail = note ? ` ${note}` : '';
  const c = checkFloor(found.version, floors);
  switch (c.kind) {
    case 'at-or-above':
      return pass(e, note);
    case 'below':
      return fail(e, `${name} ${v} is below ${c.floor}, the fixed release of line ${c.line}: upgrade to ${c.floor} or later.${tail}`);
    case 'older-than-every-line':
      return fail(
        e,
        `${name} ${v} is on line ${c.line}, older than every line with a fix (oldest: ${c.oldest} ≥ ${floors[c.oldest]}): ${c.line} has no fixed release; move to a supported line.${tail}`,
      );
    case 'newer-than-every-line':
      return pass(e, `line ${c.line} is newer than every floored line (newest: ${c.newest}); assumed to include the fixes — review the profile's floors.${tail}`);
    case 'no-floor':
      return fail(
        e,
        `${name} ${v} is on line ${c.line}, which has no floor in the profile (floored lines around it: ${c.below} and ${c.above}): its fix status is unknown; upgrade to a floored line or add a floor for ${c.line}.${tail}`,
      );
  }
}

/** The containerd version the node runs (the daemon's, else the binary's), when either can be read. */
export function nodeContainerdVersion(facts: NodeFacts): ParsedVersion | undefined {
  const ctr = facts.commands[cmd.ctrVersion];
  const bin = facts.commands[cmd.containerdVersion];
  const server = ctr?.state === 'ran' && ctr.exitCode === 0 ? parseCtrVersion(ctr.stdout, 'Server') : undefined;
  return server ?? (bin?.state === 'ran' && bin.exitCode === 0 ? parseContainerdVersion(bin.stdout) : undefined);
}

export function evaluateContainerdVersion(facts: NodeFacts, profile: Profile): Verdict {
  const floors = profile.containerd.versionFloors;
  const ctrSource = `ctr --address ${profile.containerd.socket.path} version (Server)`;
  const binSource = 'containerd --version';
  const ctr = commandFact(facts, cmd.ctrVersion, ctrSource);
  const bin = commandFact(facts, cmd.containerdVersion, binSource);
  const server = ctr.ok && ctr.fact.exitCode === 0 ? parseCtrVersion(ctr.fact.stdout, 'Server') : undefined;
  const binary = bin.ok && bin.fact.exitCode === 0 ? parseContainerdVersion(bin.fact.stdout) : undefined;

  if (server) {
    const stale = binary && semver.neq(binary.version, server.version);
    const note = stale ? `The binary on disk is ${binary.raw} but the daemon still runs ${server.raw}: restart containerd to run it.` : '';
    return judge('containerd', server, floors, ctrSource, note);
  }
  if (binary) return judge('containerd', binary, floors, `${binSource} (the daemon did not answer ctr)`, '');

  const why = (r: typeof bin, s: string): string =>
    !r.ok ? r.why : r.fact.exitCode !== 0 ? `\`${s}\` exited ${r.fact.exitCode}: ${oneLine(r.fact.stderr)}` : `no version in \`${s}\` output: "${oneLine(r.fact.stdout, 120)}"`;
  return error(
    { expected: floorsText(floors), actual: 'unknown', source: `${ctrSource}; ${binSource}` },
    `containerd's version could not be read: ${why(ctr, ctrSource)}; ${why(bin, binSource)}`,
  );
}

export function evaluateRuncVersion(facts: NodeFacts, profile: Profile): Verdict {
  const floors = profile.runc.versionFloors;
  const source = 'runc --version';
  const r = commandFact(facts, cmd.runcVersion, source);
  if (!r.ok) return error({ expected: floorsText(floors), actual: 'unknown', source }, r.why);
  if (r.fact.exitCode !== 0) {
    return error({ expected: floorsText(floors), actual: 'unknown', source }, `\`${source}\` exited ${r.fact.exitCode}: ${oneLine(r.fact.stderr)}`);
  }
  const found = parseRuncVersion(r.fact.stdout);
  if (!found) return error({ expected: floorsText(floors), actual: 'unknown', source }, `no version in \`${source}\` output: "${oneLine(r.fact.stdout, 120)}"`);
  const old = semver.lt(found.version, leakyVessels.fixed);
  const note = old ? `It also predates ${leakyVessels.fixed}, the fix for ${leakyVessels.cve} (container escape through a leaked fd).` : '';
  return judge('runc', found, floors, source, note);
}
