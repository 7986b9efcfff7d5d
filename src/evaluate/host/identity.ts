// HOST-1.1.x: the node's name, its /etc/hosts mappings, its kernel release and its OS release.
import { cmd, paths } from '../../facts/requirements.ts';
import { hostsAddresses, ipFamily, parseHosts, parseHostsAddress, type HostsLine } from '../../parse/hosts.ts';
import { compareKernel, parseKernelRelease } from '../../parse/kernel-release.ts';
import { parseOsRelease } from '../../parse/os-release.ts';
import { error, fail, pass } from '../verdict.ts';
import { commandOutput, readFile } from './evidence.ts';
import type { Evaluator } from './types.ts';

/** hostname(5): the first line that is not a comment. */
function staticHostname(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#')) ?? '';
}

export const hostnameMatches: Evaluator = (facts, profile) => {
  const expected = profile.node.name;
  const out = commandOutput(facts, cmd.hostname, 'hostname');
  if (!out.ok) return error({ expected, actual: 'unknown', source: 'hostname' }, `Cannot read the running hostname: ${out.reason}.`);
  const actual = out.stdout.trim();
  if (actual !== expected) {
    const hint =
      actual.toLowerCase() === expected.toLowerCase()
        ? ' They differ only in case; the kubelet lowercases the hostname, but set it exactly to avoid surprises.'
        : actual.startsWith(`${expected}.`)
          ? ' The hostname is fully qualified; the kubelet would register the node under the FQDN.'
          : '';
    return fail(
      { expected, actual, source: 'hostname' },
      `The running hostname is "${actual}", not the node name "${expected}".${hint} Run \`hostnamectl set-hostname ${expected}\`.`,
    );
  }
  const file = readFile(facts, paths.hostname);
  if (file.kind === 'text') {
    const persisted = staticHostname(file.text);
    if (persisted !== expected) {
      return fail(
        { expected, actual: `${actual} (running), ${persisted || 'empty'} (${paths.hostname})`, source: `hostname, ${paths.hostname}` },
        `The running hostname is right but ${paths.hostname} says "${persisted}", so the name changes back at reboot. Run \`hostnamectl set-hostname ${expected}\`.`,
      );
    }
  }
  return pass({ expected, actual, source: 'hostname' });
};

/**
 * HOST-1.1.2 as the resolvers read the file. The kubelet (Go, src/net/hosts.go) gets every address of a name and, when
 * it picks the node IP (pkg/kubelet/nodestatus/setters.go NodeAddress: net.LookupIP(node.Name), then the first
 * address validateNodeIP accepts — "nodeIP can't be loopback address"), skips loopback; so the Debian/Ubuntu
 * `127.0.1.1 <hostname>` line next to the documented one is no contradiction for the node's own name. Any other
 * address of the name that is not loopback is: resolvers differ on which one they use (getaddrinfo sorts them by
 * RFC 6724). For a peer's name a loopback line before the documented one is wrong too: a gethostbyname-style lookup
 * answers from the first line.
 */
export const hostsMapped: Evaluator = (facts, profile) => {
  const expected = profile.hosts.map((h) => `${h.ip} ${h.names.join(' ')}`).join('; ') || 'no entries required';
  const source = paths.hosts;
  const file = readFile(facts, paths.hosts);
  if (file.kind === 'missing') {
    return profile.hosts.length === 0
      ? pass({ expected, actual: `${source} absent`, source })
      : fail({ expected, actual: `${source} absent`, source }, `${source} does not exist; add: ${expected}.`);
  }
  if (file.kind === 'unknown') return error({ expected, actual: 'unknown', source }, `Cannot read ${source}: ${file.reason}.`);
  const lines = parseHosts(file.text);
  const found: string[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  const self = profile.node.name.toLowerCase();
  const quote = (l: HostsLine): string => `line ${l.line} ("${l.ip} ${l.names.join(' ')}")`;
  for (const h of profile.hosts) {
    const want = parseHostsAddress(h.ip);
    const wantText = want.ok ? want.canonical : h.ip;
    const family = want.ok ? want.family : ipFamily(h.ip);
    for (const name of h.names) {
      const { found: hits, skipped } = hostsAddresses(lines, name, family);
      const skippedNote = skipped.map((l) => `${quote(l)} is skipped by glibc and Go alike: ${l.address.ok ? '' : l.address.reason}`);
      notes.push(...skippedNote);
      const good = hits.find((l) => l.address.ok && l.address.canonical === wantText);
      const isSelf = name.toLowerCase() === self;
      const contradictions = hits.filter((l) => {
        if (!l.address.ok || l.address.canonical === wantText) return false;
        if (!l.address.loopback) return true;
        return !isSelf && (good === undefined || l.line < good.line);
      });
      const resolved = hits.map((l) => `${l.ip} (line ${l.line})`).join(', ') || 'none';
      found.push(`${name} → ${resolved}`);
      if (!good) {
        const why = skippedNote.length > 0 ? `; ${skippedNote.join('; ')}` : '';
        problems.push(
          hits.length === 0
            ? `${name} is not in ${source} (add "${h.ip} ${name}")${why}`
            : `no line maps ${name} to ${h.ip}; the resolvers return ${resolved}${why} — add "${h.ip} ${name}" and remove ${name} from the other line(s)`,
        );
        continue;
      }
      for (const c of contradictions) {
        const how = c.address.ok && c.address.loopback
          ? `a loopback address listed before line ${good.line}, so a lookup that takes the first line (gethostbyname, getent hosts) gets ${c.ip}`
          : `a second, different address for it, and resolvers disagree on which one to use`;
        problems.push(`${quote(c)} gives ${name} ${how} — remove ${name} from line ${c.line}`);
      }
      const loop = hits.filter((l) => l.address.ok && l.address.loopback && l !== good && !contradictions.includes(l));
      if (loop.length > 0 && isSelf) {
        notes.push(`${loop.map(quote).join(', ')}: loopback, which the kubelet skips when it picks the node IP`);
      }
    }
  }
  const actual = found.join('; ') || 'no entries required';
  const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  if (problems.length > 0) return fail({ expected, actual, source }, `${problems.length} mapping(s) wrong in ${source}: ${problems.join('; ')}.${note}`);
  return pass({ expected, actual, source }, notes.join('; '));
};

export const kernelNewEnough: Evaluator = (facts, profile) => {
  const expected = `≥ ${profile.kernel.minimum}`;
  const out = commandOutput(facts, cmd.unameRelease, 'uname -r');
  if (!out.ok) return error({ expected, actual: 'unknown', source: 'uname -r' }, `Cannot read the kernel release: ${out.reason}.`);
  const actual = out.stdout.trim();
  const have = parseKernelRelease(actual);
  const min = parseKernelRelease(profile.kernel.minimum);
  if (!have) return error({ expected, actual, source: 'uname -r' }, `Cannot parse the kernel release "${actual}" as major.minor[.patch].`);
  if (!min) return error({ expected, actual, source: 'profile kernel.minimum' }, `Cannot parse profile kernel.minimum "${profile.kernel.minimum}".`);
  if (compareKernel(have, min) < 0) {
    return fail(
      { expected, actual, source: 'uname -r' },
      `Kernel ${actual} (version ${have.join('.')}) is older than the required ${profile.kernel.minimum}; upgrade the kernel and reboot.`,
    );
  }
  return pass({ expected, actual, source: 'uname -r' });
};

export const osSupported: Evaluator = (facts, profile) => {
  const expected = profile.os.supported.map((o) => `${o.id} ${o.versionId}`).join(' or ');
  let source: string = paths.osRelease;
  let file = readFile(facts, paths.osRelease);
  if (file.kind === 'missing') {
    source = paths.osReleaseFallback;
    file = readFile(facts, paths.osReleaseFallback);
  }
  if (file.kind === 'missing') {
    return error({ expected, actual: 'unknown', source: `${paths.osRelease}, ${paths.osReleaseFallback}` }, `Neither ${paths.osRelease} nor ${paths.osReleaseFallback} exists.`);
  }
  if (file.kind === 'unknown') return error({ expected, actual: 'unknown', source }, `Cannot read ${source}: ${file.reason}.`);
  const os = parseOsRelease(file.text);
  const id = os['ID'];
  const versionId = os['VERSION_ID'];
  if (!id || !versionId) {
    return error({ expected, actual: `ID=${id ?? ''} VERSION_ID=${versionId ?? ''}`, source }, `${source} has no ${id ? 'VERSION_ID' : 'ID'} field.`);
  }
  const actual = `${id} ${versionId}${os['PRETTY_NAME'] ? ` (${os['PRETTY_NAME']})` : ''}`;
  const ok = profile.os.supported.some((o) => o.id.toLowerCase() === id.toLowerCase() && o.versionId === versionId);
  if (!ok) return fail({ expected, actual, source }, `${source} says ID=${id} VERSION_ID=${versionId}, which is not in the profile's os.supported list (${expected}).`);
  return pass({ expected, actual, source });
};
