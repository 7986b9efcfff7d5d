// Turns the probe script's framed output back into typed NodeFacts records, accepting only records it asked for,
// with secrets redacted before anything is stored.
import type { ProbeKeys, ProbeScript } from './probe-script.ts';
import { redactCommandOutput, redactFileContent } from './redact.ts';
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

function parseStat(path: string, statLine: string, rest: string): FileFact {
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
  return { ...base, content: redactFileContent(path, rest) };
}

/** What a listed name with a control character becomes: evidence that exists but was not read. */
export const unsafeNameError =
  'its name contains a control character (shown as "?"): nodegate does not read it, because such a name could forge probe records; rename or remove it';

/** Which records a probe may carry: its requests, and the entries of the directories it listed. */
class Allowed {
  private readonly listed = new Set<string>();
  private readonly keys: ProbeKeys | null;
  constructor(keys: ProbeKeys | null) {
    this.keys = keys;
  }
  list(dir: string, names: readonly string[]): void {
    for (const n of names) this.listed.add(`${dir}/${n}`);
  }
  check(kind: string, key: string, ok: (k: ProbeKeys) => boolean): void {
    if (this.keys === null || ok(this.keys)) return;
    throw new ProbeOutputError(`the probe printed a ${kind} record for ${JSON.stringify(key)}, which was neither requested nor listed: its output is not trusted`);
  }
  file(kind: string, key: string): void {
    this.check(kind, key, (k) => k.files.has(key) || this.listed.has(key));
  }
}

/**
 * Parses what the probe printed. Given the compiled script, a record for any path or name the script did not
 * request (or a directory it listed did not name) makes the whole output untrusted; given only the marker (the
 * older form some tests use), records are not checked against the requests.
 */
export function parseProbeOutput(output: string, script: ProbeScript | string): ParsedProbe {
  const marker = typeof script === 'string' ? script : script.marker;
  const allowed = new Allowed(typeof script === 'string' ? null : script.keys);
  const parsed: ParsedProbe = { uid: -1, systemd: false, sudo: false, files: {}, dirs: {}, commands: {}, sysctls: {} };
  const chunks = output.split(`\n${marker} `);
  let sawIdentity = false;
  const stdout = new Map<string, string>();
  /** Entries synthesised from U records: a later record for the same key must not replace the error. */
  const unsafe = new Set<string>();
  for (const chunk of chunks.slice(1)) {
    const [header, body] = head(chunk);
    const space = header.indexOf(' ');
    const kind = header.slice(0, space);
    const key = header.slice(space + 1);
    const [first, rest] = head(body);
    switch (kind) {
      case 'I': {
        if (key !== 'identity' || sawIdentity) throw new ProbeOutputError(`unexpected identity record ${JSON.stringify(key)}`);
        const uid = /^uid (\d+)$/m.exec(body);
        parsed.uid = uid?.[1] ? Number(uid[1]) : -1;
        parsed.systemd = /^systemd yes$/m.test(body);
        parsed.sudo = /^sudo yes$/m.test(body);
        sawIdentity = true;
        break;
      }
      case 'F':
      case 'S':
        allowed.file(kind, key);
        if (!unsafe.has(key)) parsed.files[key] = parseStat(key, first, rest);
        break;
      case 'D': {
        allowed.check(kind, key, (k) => k.dirs.has(key));
        const entries = first === 'missing' ? [] : rest.split('\n').filter((e) => e !== '');
        allowed.list(key, entries);
        parsed.dirs[key] = first === 'missing' ? { state: 'missing' } : { state: 'present', entries };
        break;
      }
      case 'U': {
        // An entry whose real name cannot be framed: listed under its shown name, as evidence nobody read.
        const dir = parsed.dirs[key];
        if (dir?.state !== 'present' || first === '') throw new ProbeOutputError(`unsafe-name record for ${JSON.stringify(key)} outside a listed directory`);
        const path = `${key}/${first}`;
        allowed.list(key, [first]);
        unsafe.add(path);
        parsed.dirs[key] = { state: 'present', entries: [...dir.entries, first] };
        parsed.files[path] = { state: 'unreadable', error: unsafeNameError };
        break;
      }
      case 'C':
        allowed.check(kind, key, (k) => k.commands.has(key));
        stdout.set(key, redactCommandOutput(body));
        break;
      case 'R': {
        const out = stdout.get(key);
        if (out === undefined) throw new ProbeOutputError(`command status for ${JSON.stringify(key)} without its output record`);
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
        if (command === undefined) throw new ProbeOutputError(`command stderr for ${JSON.stringify(key)} without its status record`);
        if (command.state === 'ran' || command.state === 'not-found') parsed.commands[key] = { ...command, stderr: redactCommandOutput(body) };
        break;
      }
      case 'X':
        allowed.file(kind, key);
        if (!unsafe.has(key)) parsed.files[key] = { state: 'unreadable', error: first };
        break;
      case 'K':
        allowed.check(kind, key, (k) => k.sysctls.has(key));
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
  if (typeof script !== 'string') {
    for (const path of script.keys.unframable) {
      parsed.files[path] = { state: 'unreadable', error: 'the path contains a control character: nodegate does not send it to the node, because it could forge probe records' };
    }
  }
  return parsed;
}
