// The SSH transport against a real OpenSSH server: host keys, auth, sudo, timeouts and network failures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetError, UsageError } from '../../src/errors.ts';
import { openTarget } from '../../src/target/index.ts';
import type { OpenTargetOptions } from '../../src/target/index.ts';
import { privilegedShell, sudoFailure } from '../../src/target/privileged.ts';
import type { Target } from '../../src/target/types.ts';
import { freePort, generateKey, publicKeyOf, sshdUnavailable, sshdUsers, startSshd } from '../support/sshd.ts';
import type { Sshd } from '../support/sshd.ts';
import { requireLab } from '../support/lab-tier.ts';

// NODEGATE_REQUIRE_LABS turns "no sshd here" into a failure instead of a skip (test/support/lab-tier.ts).
const sshdReason = sshdUnavailable();
const sshdLab = requireLab('sshd lab', sshdReason === undefined ? { ok: true } : { ok: false, reason: sshdReason });
const unavailable = sshdLab.ok ? undefined : sshdLab.reason;

async function failure(promise: Promise<unknown>): Promise<TargetError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TargetError);
  return error as TargetError;
}

/** Counts TCP connections sshd accepted, from its VERBOSE log. */
function connections(sshd: Sshd): number {
  return sshd.log().split('\n').filter((l) => /^Connection from 127\.0\.0\.1 port \d+/.test(l)).length;
}

/** A loopback server that misbehaves before SSH starts: silent, or dropping each connection. */
async function rogueServer(onSocket: (s: Socket) => void): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((s) => {
    accepted += 1;
    sockets.add(s);
    s.on('error', () => {});
    onSocket(s);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    port,
    accepted: () => accepted,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

describe.skipIf(unavailable !== undefined)(`ssh target against a real sshd${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let sshd: Sshd;
  const open = (user: string, extra: OpenTargetOptions = {}): Promise<Target> =>
    openTarget({ kind: 'ssh', user, host: '127.0.0.1', port: sshd.port },
      { identityFile: sshd.clientKeyPath, knownHostsFile: sshd.knownHostsPath, connectTimeoutMs: 5000, ...extra });

  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('runs commands with stdin and exit codes over one reused connection, counting round trips', async () => {
    const before = connections(sshd);
    const t = await open('root');
    try {
      expect(t.label).toBe(`ssh://root@127.0.0.1:${sshd.port}`);
      const echoed = await t.exec('cat; echo done >&2', { stdin: 'line one\nline "two" $HOME\n', timeoutMs: 5000 });
      expect(echoed).toEqual({ stdout: 'line one\nline "two" $HOME\n', stderr: 'done\n', exitCode: 0 });
      expect((await t.exec('exit 7', { timeoutMs: 5000 })).exitCode).toBe(7);
      expect((await t.exec('kill -TERM $$', { timeoutMs: 5000 })).exitCode).toBe(143);
      const a = await t.exec('echo "$SSH_CLIENT"', { timeoutMs: 5000 });
      const b = await t.exec('echo "$SSH_CLIENT"', { timeoutMs: 5000 });
      expect(a.stdout).toBe(b.stdout); // same client port: the same TCP connection
      expect(t.roundTrips).toBe(5);
      expect(connections(sshd) - before).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('runs the command in /bin/sh even when the login shell is bash, and stdin ends at EOF', async () => {
    const t = await open(sshdUsers.sudoNopasswd);
    try {
      const r = await t.exec('echo "$0 $(id -un)"; cat', { timeoutMs: 5000 });
      expect(r).toEqual({ stdout: `/bin/sh ${sshdUsers.sudoNopasswd}\n`, stderr: '', exitCode: 0 });
    } finally {
      await t.close();
    }
  });

  it('logs in with a key held by a real ssh-agent when no identity file is given', async () => {
    const sock = join(sshd.dir, `agent-${Date.now()}.sock`);
    const agent = spawnSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    expect(agent.status, agent.stderr).toBe(0);
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(agent.stdout)?.[1]);
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      const added = spawnSync('ssh-add', [sshd.clientKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
      expect(added.status, added.stderr).toBe(0);
      process.env.SSH_AUTH_SOCK = sock;
      const t = await openTarget({ kind: 'ssh', user: sshdUsers.noSudo, host: '127.0.0.1', port: sshd.port },
        { knownHostsFile: sshd.knownHostsPath, connectTimeoutMs: 5000 });
      expect((await t.exec('id -un', { timeoutMs: 5000 })).stdout).toBe(`${sshdUsers.noSudo}\n`);
      await t.close();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      if (pid > 0) process.kill(pid);
    }
  });

  it('privileged shell: root directly, NOPASSWD sudo to uid 0, password-wanting sudo is a sudo-password error', async () => {
    for (const user of [sshdUsers.root, sshdUsers.sudoNopasswd]) {
      const t = await open(user);
      const r = await t.exec(privilegedShell, { stdin: 'id -u\nid -un\n', timeoutMs: 5000 });
      await t.close();
      expect(r.stdout, user).toBe('0\nroot\n');
      expect(sudoFailure(r, t.label)).toBeUndefined();
      expect(t.roundTrips).toBe(1);
    }
    for (const user of [sshdUsers.sudoPassword, sshdUsers.noSudo]) {
      const t = await open(user);
      const r = await t.exec(privilegedShell, { stdin: 'id -u\n', timeoutMs: 5000 });
      await t.close();
      expect(r.stdout).toBe('');
      const e = sudoFailure(r, t.label);
      expect(e?.failure, user).toBe('sudo-password');
      expect(e?.oneLine()).toContain(`ssh://${user}@127.0.0.1:${sshd.port}: sudo wants a password`);
      expect(e?.hint).toContain(`${user} ALL=(root) NOPASSWD:`);
    }
  });

  it('privileged shell on a node without sudo names the missing sudo', async () => {
    // A PATH with sh and id but no sudo: the node as it would be with sudo uninstalled.
    const bin = join(sshd.dir, 'nosudo-bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['sh', 'id']) if (!existsSync(join(bin, tool))) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    const t = await open(sshdUsers.sudoNopasswd);
    const r = await t.exec(`PATH=${bin}; export PATH; ${privilegedShell}`, { stdin: 'id -u\n', timeoutMs: 5000 });
    await t.close();
    expect(r.exitCode).toBe(127);
    const e = sudoFailure(r, t.label);
    expect(e?.failure).toBe('auth');
    expect(e?.message).toContain('sudo is not installed and the login user is not root');
  });

  it('refuses an unknown host key, showing its type and fingerprint, and leaves known_hosts alone', async () => {
    const file = join(sshd.dir, 'empty_known_hosts');
    writeFileSync(file, '# nothing trusted yet\n');
    const e = await failure(open('root', { knownHostsFile: file }));
    expect(e.failure).toBe('host-key-unknown');
    expect(e.message).toBe(`ssh://root@127.0.0.1:${sshd.port}: host key for [127.0.0.1]:${sshd.port} is not in ${file}: ssh-ed25519 ${sshd.hostKeyFingerprint}`);
    expect(e.hint).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1 >> ${file}`);
    expect(e.hint).toContain('--accept-new-host-key');
    expect(readFileSync(file, 'utf8')).toBe('# nothing trusted yet\n');
  });

  it('accept-new records an unknown key once, and the recorded key is then trusted without the flag', async () => {
    const file = join(sshd.dir, 'fresh', 'ssh', 'known_hosts');
    const t = await open('root', { knownHostsFile: file, acceptNewHostKey: true });
    await t.close();
    const line = `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`;
    expect(readFileSync(file, 'utf8')).toBe(line);
    const again = await open('root', { knownHostsFile: file, acceptNewHostKey: true });
    await again.close();
    const plain = await open('root', { knownHostsFile: file });
    expect((await plain.exec('echo ok', { timeoutMs: 5000 })).stdout).toBe('ok\n');
    await plain.close();
    expect(readFileSync(file, 'utf8')).toBe(line);
  });

  it('trusts a known_hosts hashed by ssh-keygen -H', async () => {
    const file = join(sshd.dir, 'hashed_known_hosts');
    writeFileSync(file, readFileSync(sshd.knownHostsPath));
    const r = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const t = await open('root', { knownHostsFile: file });
    await t.close();
  });

  it('refuses a changed host key even with --accept-new-host-key, naming both fingerprints and the line', async () => {
    const other = generateKey(join(sshd.dir, `other_host_key_${Date.now()}`));
    const otherFp = spawnSync('ssh-keygen', ['-lf', `${other}.pub`], { encoding: 'utf8' }).stdout.split(/\s+/)[1];
    const file = join(sshd.dir, 'changed_known_hosts');
    const content = `# line one is a comment\n[127.0.0.1]:${sshd.port} ${publicKeyOf(other)}\n`;
    writeFileSync(file, content);
    const e = await failure(open('root', { knownHostsFile: file, acceptNewHostKey: true }));
    expect(e.failure).toBe('host-key-changed');
    expect(e.message).toBe(`ssh://root@127.0.0.1:${sshd.port}: HOST KEY CHANGED for [127.0.0.1]:${sshd.port}: ${file} line 2 ` +
      `has ssh-ed25519 ${otherFp}, the server offered ssh-ed25519 ${sshd.hostKeyFingerprint}`);
    expect(e.hint).toContain('--accept-new-host-key never overrides a changed key');
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('refuses a key marked @revoked even when it is also listed as trusted', async () => {
    const file = join(sshd.dir, 'revoked_known_hosts');
    writeFileSync(file, `@revoked [127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const e = await failure(open('root', { knownHostsFile: file, acceptNewHostKey: true }));
    expect(e.failure).toBe('host-key-changed');
    expect(e.message).toContain(`${sshd.hostKeyFingerprint} for [127.0.0.1]:${sshd.port} is @revoked in ${file} line 1`);
  });

  it('a wrong client key fails fast as auth, with one connection and no retry', async () => {
    const wrong = generateKey(join(sshd.dir, `wrong_key_${Date.now()}`));
    const before = connections(sshd);
    const started = performance.now();
    const e = await failure(open(sshdUsers.sudoNopasswd, { identityFile: wrong }));
    const elapsed = performance.now() - started;
    expect(e.failure).toBe('auth');
    expect(e.message).toBe(`ssh://${sshdUsers.sudoNopasswd}@127.0.0.1:${sshd.port}: authentication failed for user ${sshdUsers.sudoNopasswd} with key ${wrong}`);
    // Two retries would add at least 250 + 500 ms of backoff on top of three handshakes.
    expect(elapsed).toBeLessThan(740);
    await new Promise((r) => setTimeout(r, 100)); // let sshd flush its log line
    expect(connections(sshd) - before).toBe(1);
  });

  it('a command over its timeout is a timeout error, its process is killed and the connection stays usable', async () => {
    const t = await open('root');
    try {
      const started = performance.now();
      const e = await failure(t.exec('sleep 37.25; echo never', { timeoutMs: 400 }));
      expect(performance.now() - started).toBeLessThan(1500);
      expect(e.failure).toBe('timeout');
      expect(e.message).toBe(`ssh://root@127.0.0.1:${sshd.port}: command did not finish within 400 ms: sleep 37.25; echo never`);
      // sshd runs here, so the remote process table is this one; the node kills it within its grace period.
      const left = (): string => spawnSync('pgrep', ['-af', 'sleep 37.25'], { encoding: 'utf8' }).stdout;
      const deadline = performance.now() + 2000;
      while (left() !== '' && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(left()).toBe('');
      expect((await t.exec('echo still here', { timeoutMs: 5000 })).stdout).toBe('still here\n');
    } finally {
      await t.close();
    }
  });

  it('a connection lost mid-command rejects that exec and every later one as unreachable', async () => {
    const t = await open('root');
    // Inner sh -> timeout -> the root session's sshd process: kill that, as a crash or a network cut would.
    const e = await failure(t.exec('kill -9 "$(ps -o ppid= -p "$PPID" | tr -d " ")"; sleep 5', { timeoutMs: 5000 }));
    expect(e.failure).toBe('unreachable');
    expect(e.message).toBe(`ssh://root@127.0.0.1:${sshd.port}: connection to the node was lost`);
    const later = await failure(t.exec('true', { timeoutMs: 5000 }));
    expect(later.failure).toBe('unreachable');
    await t.close();
  });

  it('commandTimeoutMs caps whatever timeout a caller asks for', async () => {
    const t = await open('root', { commandTimeoutMs: 300 });
    try {
      const e = await failure(t.exec('sleep 37.5', { timeoutMs: 20_000 }));
      expect(e.message).toContain('command did not finish within 300 ms');
    } finally {
      await t.close();
    }
  });

  it('a closed port is refused, without retries', async () => {
    const port = await freePort();
    const started = performance.now();
    const e = await failure(openTarget({ kind: 'ssh', user: 'root', host: '127.0.0.1', port },
      { identityFile: sshd.clientKeyPath, knownHostsFile: sshd.knownHostsPath }));
    expect(performance.now() - started).toBeLessThan(500); // a retry would add 250 ms of backoff at least
    expect(e.failure).toBe('refused');
    expect(e.message).toBe(`ssh://root@127.0.0.1:${port}: connection refused on port ${port}`);
  });

  it('a server that never speaks SSH is a connect timeout', async () => {
    const silent = await rogueServer(() => {});
    try {
      const started = performance.now();
      const e = await failure(openTarget({ kind: 'ssh', user: 'root', host: '127.0.0.1', port: silent.port },
        { identityFile: sshd.clientKeyPath, knownHostsFile: sshd.knownHostsPath, connectTimeoutMs: 400 }));
      expect(performance.now() - started).toBeLessThan(1500);
      expect(e.failure).toBe('timeout');
      expect(e.message).toBe(`ssh://root@127.0.0.1:${silent.port}: no SSH login within 400 ms`);
      expect(silent.accepted()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it('a connection dropped before the handshake is retried twice, then reported', async () => {
    const dropper = await rogueServer((s) => s.destroy());
    try {
      const e = await failure(openTarget({ kind: 'ssh', user: 'root', host: '127.0.0.1', port: dropper.port },
        { identityFile: sshd.clientKeyPath, knownHostsFile: sshd.knownHostsPath, connectTimeoutMs: 2000 }));
      expect(e.failure).toBe('unreachable');
      expect(e.message).toContain('connection dropped before login, 3 attempts');
      expect(dropper.accepted()).toBe(3);
    } finally {
      await dropper.close();
    }
  });

  it('an address with no route is unreachable (lab range 10.250.99.0/24 blackholed for the test)', async () => {
    const added = spawnSync('ip', ['route', 'add', 'unreachable', '10.250.99.0/24'], { encoding: 'utf8' });
    expect(added.status, added.stderr).toBe(0);
    try {
      const started = performance.now();
      const e = await failure(openTarget({ kind: 'ssh', user: 'root', host: '10.250.99.1', port: 22 },
        { identityFile: sshd.clientKeyPath, knownHostsFile: sshd.knownHostsPath, connectTimeoutMs: 3000 }));
      expect(performance.now() - started).toBeLessThan(500);
      expect(e.failure).toBe('unreachable');
      expect(e.message).toBe('ssh://root@10.250.99.1:22: no route to 10.250.99.1 (EHOSTUNREACH)');
    } finally {
      spawnSync('ip', ['route', 'del', 'unreachable', '10.250.99.0/24']);
    }
  });

  it('an encrypted identity file is a usage error before any connection', async () => {
    const key = generateKey(join(sshd.dir, `encrypted_key_${Date.now()}`), 'correct horse');
    const before = connections(sshd);
    const error = await open('root', { identityFile: key }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toBe(`identity file ${key} is encrypted and nodegate cannot ask for its passphrase`);
    expect((error as UsageError).hint).toContain(`ssh-add ${key}`);
    expect(connections(sshd)).toBe(before);
  });
});
