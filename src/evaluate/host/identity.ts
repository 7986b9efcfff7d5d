// HOST-1.1.x: the node's name, its /etc/hosts mappings, its kernel release and its OS release.
import { cmd, paths } from '../../facts/requirements.ts';
import { parseHosts, ipFamily, normalizeIp, resolveName } from '../../parse/hosts.ts';
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
  for (const h of profile.hosts) {
    const want = normalizeIp(h.ip);
    for (const name of h.names) {
      const hit = resolveName(lines, name, ipFamily(h.ip));
      if (!hit) {
        problems.push(`${name} is not in ${source} (add "${h.ip} ${name}")`);
        found.push(`${name} → none`);
      } else if (normalizeIp(hit.ip) !== want) {
        problems.push(
          `${name} resolves to ${hit.ip} from line ${hit.line} ("${hit.ip} ${hit.names.join(' ')}"), not ${h.ip}; the first line naming it wins, so remove ${name} from line ${hit.line} or put "${h.ip} ${name}" before it`,
        );
        found.push(`${name} → ${hit.ip} (line ${hit.line})`);
      } else {
        found.push(`${name} → ${hit.ip} (line ${hit.line})`);
      }
    }
  }
  const actual = found.join('; ') || 'no entries required';
  if (problems.length > 0) return fail({ expected, actual, source }, `${problems.length} mapping(s) wrong in ${source}: ${problems.join('; ')}.`);
  return pass({ expected, actual, source });
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
