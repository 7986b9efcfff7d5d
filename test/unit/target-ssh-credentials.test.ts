// Credential problems are usage errors found before any packet is sent, each naming the file at fault.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { openTarget } from '../../src/target/index.ts';
import { isTransient, remoteCommand, shQuote } from '../../src/target/ssh.ts';

const hasKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;
// Port 9 on loopback: nothing is dialed in these tests, and if a bug dialed, it would stay on this machine.
const spec = { kind: 'ssh', user: 'ops', host: '127.0.0.1', port: 9 } as const;

async function usage(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UsageError);
  return error as UsageError;
}

describe.skipIf(!hasKeygen)(`identity files${hasKeygen ? '' : ' (skipped: ssh-keygen not installed)'}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodegate-cred-'));
    spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret words', '-f', join(dir, 'encrypted')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an encrypted key says so and how to use it anyway', async () => {
    const key = join(dir, 'encrypted');
    const e = await usage(openTarget(spec, { identityFile: key, knownHostsFile: join(dir, 'kh') }));
    expect(e.oneLine()).toBe(`identity file ${key} is encrypted and nodegate cannot ask for its passphrase — ` +
      `load it into ssh-agent (ssh-add ${key}) and run without an identity file, or use an unencrypted audit key`);
  });

  it('a public key given as the identity names the mistake', async () => {
    const key = join(dir, 'encrypted.pub');
    const e = await usage(openTarget(spec, { identityFile: key, knownHostsFile: join(dir, 'kh') }));
    expect(e.message).toBe(`identity file ${key} is not a usable private key: it holds only a public key`);
    expect(e.hint).toBe('pass an OpenSSH, PEM or PPK private key (not the .pub file)');
  });

  it('a missing key file names the path', async () => {
    const key = join(dir, 'nope');
    const e = await usage(openTarget(spec, { identityFile: key, knownHostsFile: join(dir, 'kh') }));
    expect(e.message).toBe(`cannot read identity file ${key}: ENOENT: no such file or directory, open '${key}'`);
  });

  it('no key, no agent and no ~/.ssh/id_* is a usage error', async () => {
    const saved = { home: process.env.HOME, sock: process.env.SSH_AUTH_SOCK };
    process.env.HOME = dir;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const e = await usage(openTarget(spec, { knownHostsFile: join(dir, 'kh') }));
      expect(e.message).toBe('no SSH credentials: no identity file given, no ssh-agent (SSH_AUTH_SOCK unset), no usable ~/.ssh/id_* key');
    } finally {
      process.env.HOME = saved.home;
      if (saved.sock !== undefined) process.env.SSH_AUTH_SOCK = saved.sock;
    }
  });
});

describe('remote command line', () => {
  it('quotes for any POSIX shell and runs through sh with a node-side deadline', () => {
    expect(shQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    const line = remoteCommand("echo 'hi'", 900);
    expect(line).toBe(`exec /bin/sh -c 't=$(command -v timeout) && exec "$t" -s KILL 1.000 /bin/sh -c "$1"; exec /bin/sh -c "$1"' ` +
      `nodegate 'echo '\\''hi'\\'''`);
    const r = spawnSync('sh', ['-c', remoteCommand('printf "%s|" "$0" "a b"; cat', 5000)], { input: 'in', encoding: 'utf8' });
    expect(r.stdout).toBe('/bin/sh|a b|in');
  });

  it('retries only connection drops before login', () => {
    const coded = (code: string): Error => Object.assign(new Error(code), { code });
    expect(isTransient(coded('ECONNRESET'))).toBe(true);
    expect(isTransient(coded('EPIPE'))).toBe(true);
    expect(isTransient(new Error('Connection lost before handshake'))).toBe(true);
    expect(isTransient(coded('ECONNREFUSED'))).toBe(false);
    expect(isTransient(coded('EHOSTUNREACH'))).toBe(false);
    expect(isTransient(new Error('All configured authentication methods failed'))).toBe(false);
  });
});
