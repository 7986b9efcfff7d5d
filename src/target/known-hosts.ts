// Host key checking as OpenSSH does it, so nodegate never talks to a node it cannot prove is the right one.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages the user can act on. */
  readonly line: number;
  readonly marker: 'revoked' | 'cert-authority' | undefined;
  readonly patterns: string;
  readonly keyType: string;
  readonly key: Buffer;
}

export type HostKeyVerdict =
  | { readonly status: 'known'; readonly line: number }
  | { readonly status: 'unknown' }
  | { readonly status: 'changed'; readonly line: number; readonly knownType: string; readonly knownFingerprint: string }
  | { readonly status: 'revoked'; readonly line: number };

/** OpenSSH's `SHA256:` fingerprint: base64 of the SHA-256 of the key blob, without padding. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key blob. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4 || len > 64) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** The name known_hosts stores for a host: bare on port 22, `[host]:port` otherwise. */
export function hostToken(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return; // an unknown marker: OpenSSH skips the line, so do we
    }
    const [patterns, keyType, keyText] = fields;
    if (patterns === undefined || keyType === undefined || keyText === undefined) return;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText)) return;
    const key = Buffer.from(keyText, 'base64');
    // A line whose blob names another type than its type field is corrupt; OpenSSH ignores it too.
    if (keyTypeOf(key) !== keyType) return;
    entries.push({ line: index + 1, marker, patterns, keyType, key });
  });
  return entries;
}

function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

function hashedMatch(pattern: string, token: string): boolean {
  const parts = pattern.split('|');
  if (parts.length !== 4 || parts[1] !== '1' || parts[2] === undefined || parts[3] === undefined) return false;
  const salt = Buffer.from(parts[2], 'base64');
  const want = Buffer.from(parts[3], 'base64');
  const got = createHmac('sha1', salt).update(token).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** True when the host field of a line (comma list, wildcards, `!` negation or one hashed name) names the token. */
export function hostMatches(patterns: string, token: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, token);
  let matched = false;
  for (const raw of patterns.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (pattern === '' || !globMatch(pattern, token)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** Judges the key a server presented against every line for that host, with OpenSSH's precedence. */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const token = hostToken(host, port);
  const presentedType = keyTypeOf(keyBlob);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && hostMatches(e.patterns, token));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = forHost.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key.equals(keyBlob));
  if (same) return { status: 'known', line: same.line };
  // Any other key on record for this host is a change: key types are negotiated to prefer the recorded
  // ones, so a server offering an unrecorded type when one is recorded is as suspect as a changed key.
  const other = plain.find((e) => e.keyType === presentedType) ?? plain[0];
  if (other) return { status: 'changed', line: other.line, knownType: other.keyType, knownFingerprint: fingerprint(other.key) };
  return { status: 'unknown' };
}

/** The key types on record for a host, in file order, so negotiation can ask for those first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const token = hostToken(host, port);
  const types = entries.filter((e) => e.marker === undefined && hostMatches(e.patterns, token)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** The line OpenSSH's accept-new would append. */
export function knownHostsLine(host: string, port: number, keyBlob: Buffer): string {
  return `${hostToken(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
}
