// known_hosts matching against what OpenSSH itself writes: plain, lists, ports, wildcards, hashed, markers.
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostKey, fingerprint, hostMatches, hostToken, keyTypeOf, knownHostsLine, knownKeyTypes, parseKnownHosts,
} from '../../src/target/known-hosts.ts';

const hasKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;

function hashed(token: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(token).digest('base64')}`;
}

describe('known_hosts host patterns', () => {
  it('stores bare names on port 22 and [host]:port elsewhere, lowercased', () => {
    expect(hostToken('Node1.Example.com', 22)).toBe('node1.example.com');
    expect(hostToken('10.250.0.5', 2222)).toBe('[10.250.0.5]:2222');
    expect(hostToken('fd00::5', 22)).toBe('fd00::5');
  });

  it('matches plain names, comma lists, wildcards and negations', () => {
    expect(hostMatches('node1', 'node1')).toBe(true);
    expect(hostMatches('node1', 'node10')).toBe(false);
    expect(hostMatches('node2,Node1,10.250.0.1', 'node1')).toBe(true);
    expect(hostMatches('[node1]:2222', '[node1]:2222')).toBe(true);
    expect(hostMatches('[node1]:2222', 'node1')).toBe(false);
    expect(hostMatches('node1', '[node1]:2222')).toBe(false);
    expect(hostMatches('*.lab.example', 'w1.lab.example')).toBe(true);
    expect(hostMatches('w?.lab.example', 'w12.lab.example')).toBe(false);
    expect(hostMatches('*.lab.example,!bad.lab.example', 'bad.lab.example')).toBe(false);
    expect(hostMatches('10.250.0.*', '10.250.0.7')).toBe(true);
    expect(hostMatches('10.250.0.*', '10.250.077')).toBe(false); // the dot is literal, not a regex
  });

  it('matches hashed |1|salt|hmac names only for the exact token', () => {
    const h = hashed('[10.250.0.5]:2222');
    expect(hostMatches(h, '[10.250.0.5]:2222')).toBe(true);
    expect(hostMatches(h, '10.250.0.5')).toBe(false);
    expect(hostMatches('|1|bm90YXNhbHQ=|bm90YWhhc2g=', '10.250.0.5')).toBe(false);
    expect(hostMatches('|2|x|y', '10.250.0.5')).toBe(false);
  });
});

describe.skipIf(!hasKeygen)(`known_hosts checks with real OpenSSH keys${hasKeygen ? '' : ' (skipped: ssh-keygen not installed)'}`, () => {
  let dir: string;
  const key: Record<string, { blob: Buffer; line: string; fp: string }> = {};

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodegate-kh-'));
    for (const [name, type] of [['a', 'ed25519'], ['b', 'ed25519'], ['r', 'ecdsa']] as const) {
      const path = join(dir, name);
      spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
      const line = readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
      const fp = spawnSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1] ?? '';
      key[name] = { blob: Buffer.from(line.split(' ')[1] ?? '', 'base64'), line, fp };
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const k = (name: string): { blob: Buffer; line: string; fp: string } => {
    const v = key[name];
    if (!v) throw new Error(`no key ${name}`);
    return v;
  };

  it('computes the same SHA256 fingerprint and key type as ssh-keygen', () => {
    expect(fingerprint(k('a').blob)).toBe(k('a').fp);
    expect(fingerprint(k('r').blob)).toBe(k('r').fp);
    expect(keyTypeOf(k('a').blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(k('r').blob)).toBe('ecdsa-sha2-nistp256');
  });

  it('knows, misses, and detects a changed key with the line of the old one', () => {
    const entries = parseKnownHosts(`# comment\n\nnode9 ${k('b').line}\nnode1,10.250.0.1 ${k('a').line} ops@laptop\r\n`);
    expect(entries.map((e) => e.line)).toEqual([3, 4]);
    expect(checkHostKey(entries, '10.250.0.1', 22, k('a').blob)).toEqual({ status: 'known', line: 4 });
    expect(checkHostKey(entries, 'node2', 22, k('a').blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(entries, 'node1', 2222, k('a').blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(entries, 'node1', 22, k('b').blob))
      .toEqual({ status: 'changed', line: 4, knownType: 'ssh-ed25519', knownFingerprint: k('a').fp });
  });

  it('treats a key of another type than the recorded one as changed, and lists recorded types first', () => {
    const entries = parseKnownHosts(`node1 ${k('r').line}\n`);
    expect(checkHostKey(entries, 'node1', 22, k('a').blob))
      .toEqual({ status: 'changed', line: 1, knownType: 'ecdsa-sha2-nistp256', knownFingerprint: k('r').fp });
    expect(knownKeyTypes(parseKnownHosts(`node1 ${k('r').line}\nnode1 ${k('a').line}\nnode2 ${k('b').line}\n`), 'node1', 22))
      .toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
  });

  it('honours @revoked over a trusted line, and ignores @cert-authority and corrupt lines', () => {
    const entries = parseKnownHosts([
      `@cert-authority *.lab ${k('b').line}`,
      `node1 ${k('a').line}`,
      `@revoked node1 ${k('a').line}`,
      'node1 ssh-ed25519 not-base64!',
      `node1 ssh-rsa ${k('a').line.split(' ')[1]}`, // type field disagrees with the blob
      `@bogus node1 ${k('b').line}`,
    ].join('\n'));
    expect(entries.map((e) => [e.line, e.marker])).toEqual([[1, 'cert-authority'], [2, undefined], [3, 'revoked']]);
    expect(checkHostKey(entries, 'node1', 22, k('a').blob)).toEqual({ status: 'revoked', line: 3 });
    expect(checkHostKey(entries, 'w1.lab', 22, k('b').blob)).toEqual({ status: 'unknown' });
  });

  it('matches entries that ssh-keygen -H hashed, and agrees with ssh-keygen -F', () => {
    const file = join(dir, 'known_hosts');
    writeFileSync(file, `${knownHostsLine('10.250.0.5', 2222, k('a').blob)}\n${knownHostsLine('node1', 22, k('b').blob)}\n`);
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(`[10.250.0.5]:2222 ${k('a').line}`);
    expect(spawnSync('ssh-keygen', ['-q', '-H', '-f', file]).status).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('10.250.0.5');
    const entries = parseKnownHosts(text);
    expect(entries.every((e) => e.patterns.startsWith('|1|'))).toBe(true);
    expect(checkHostKey(entries, '10.250.0.5', 2222, k('a').blob)).toEqual({ status: 'known', line: 1 });
    expect(checkHostKey(entries, '10.250.0.5', 22, k('a').blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(entries, 'NODE1', 22, k('b').blob)).toEqual({ status: 'known', line: 2 });
    for (const [host, found] of [['[10.250.0.5]:2222', true], ['10.250.0.5', false], ['node1', true], ['node2', false]] as const) {
      const oracle = spawnSync('ssh-keygen', ['-F', host, '-f', file]).status === 0;
      expect(oracle, host).toBe(found);
      expect(entries.some((e) => hostMatches(e.patterns, host)), host).toBe(found);
    }
  });
});
