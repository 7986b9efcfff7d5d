// Turns the probe script's framed output back into typed NodeFacts records.
import type { CommandFact, DirFact, FileFact, FileType, SysctlFact } from './types.ts';

export interface ParsedProbe {
  uid: number;
  systemd: boolean;
  sudo: boolean;
  readonly files: Record<string, FileFact>;
  readonly dirs: Record<string, DirFact>;
  readonly commands: Record<string, CommandFact>;
  readonly sysctls: Record<string, SysctlFact>;
}

export class ProbeOutputError extends Error {}

const fileTypes: Record<string, FileType> = {
  'regular file': 'file',
  'regular empty file': 'file',
  directory: 'directory',
  socket: 'socket',
  'symbolic link': 'symlink',
};

/** Splits "first line\nrest" keeping the rest byte-exact. */
function head(body: string): [string, string] {
  const nl = body.indexOf('\n');
  return nl < 0 ? [body, ''] : [body.slice(0, nl), body.slice(nl + 1)];
}

function parseStat(statLine: string, rest: string): FileFact {
  if (statLine === 'missing') return { state: 'missing' };
  if (statLine.startsWith('unreadable|')) return { state: 'unreadable', error: statLine.slice('unreadable|'.length) };
  const [state, kind, mode, uid, gid, size, ...link] = statLine.split('|');
  if (state !== 'present' || kind === undefined || mode === undefined || uid === undefined || gid === undefined || size === undefined) {
    throw new ProbeOutputError(`malformed stat line: ${statLine}`);
  }
  const linkTarget = link.join('|');
  const base = {
    state: 'present' as const,
    type: fileTypes[kind] ?? ('other' as const),
    mode: Number.parseInt(mode, 8),
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size),
    ...(linkTarget ? { linkTarget } : {}),
  };
  if (base.type !== 'file') return base;
  if (rest.startsWith('sha256 ')) return { ...base, sha256: rest.slice(7).split(/\s/)[0] ?? '' };
  return { ...base, content: rest };
}

export function parseProbeOutput(output: string, marker: string): ParsedProbe {
  const parsed: ParsedProbe = { uid: -1, systemd: false, sudo: false, files: {}, dirs: {}, commands: {}, sysctls: {} };
  const chunks = output.split(`\n${marker} `);
  let sawIdentity = false;
  const stdout = new Map<string, string>();
  for (const chunk of chunks.slice(1)) {
    const [header, body] = head(chunk);
    const space = header.indexOf(' ');
    const kind = header.slice(0, space);
    const key = header.slice(space + 1);
    const [first, rest] = head(body);
    switch (kind) {
      case 'I': {
        const uid = /^uid (\d+)$/m.exec(body);
        parsed.uid = uid?.[1] ? Number(uid[1]) : -1;
        parsed.systemd = /^systemd yes$/m.test(body);
        parsed.sudo = /^sudo yes$/m.test(body);
        sawIdentity = true;
        break;
      }
      case 'F':
      case 'S':
        parsed.files[key] = parseStat(first, rest);
        break;
      case 'D':
        parsed.dirs[key] =
          first === 'missing' ? { state: 'missing' } : { state: 'present', entries: rest.split('\n').filter((e) => e !== '') };
        break;
      case 'C':
        stdout.set(key, body);
        break;
      case 'R': {
        const out = stdout.get(key) ?? '';
        const rc = /^rc (\d+)$/.exec(first);
        if (rc?.[1]) parsed.commands[key] = { state: 'ran', exitCode: Number(rc[1]), stdout: out, stderr: '' };
        else if (first === 'notfound') parsed.commands[key] = { state: 'not-found', stderr: '' };
        else if (first === 'timeout') parsed.commands[key] = { state: 'timeout' };
        else if (first.startsWith('skipped ')) parsed.commands[key] = { state: 'skipped', reason: first.slice(8) };
        else throw new ProbeOutputError(`malformed command status for ${key}: ${first}`);
        break;
      }
      case 'E': {
        const command = parsed.commands[key];
        if (command && (command.state === 'ran' || command.state === 'not-found')) parsed.commands[key] = { ...command, stderr: body };
        break;
      }
      case 'X':
        parsed.files[key] = { state: 'unreadable', error: first };
        break;
      case 'K':
        parsed.sysctls[key] =
          first === 'missing'
            ? { state: 'missing' }
            : first.startsWith('unreadable|')
              ? { state: 'unreadable', error: first.slice('unreadable|'.length) }
              : { state: 'present', value: rest.trim() };
        break;
      default:
        throw new ProbeOutputError(`unknown probe record kind "${kind}"`);
    }
  }
  if (!sawIdentity) throw new ProbeOutputError('probe output has no identity record: the script did not run');
  return parsed;
}
