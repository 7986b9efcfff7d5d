// Bad input end to end: each is one clear line naming what failed, the right exit code, and no hang.
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.ts';
import { freePort, generateKey, sshdUnavailable, sshdUsers, startSshd, type Sshd } from '../support/sshd.ts';
import { requireLab } from '../support/lab-tier.ts';

const bound = 20_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-bad-'));
});

/** The one line the user reads on stderr: `nodegate: <node>: <what failed> — <what to do>`. */
const said = (r: { stderr: string }) => {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('nodegate: '));
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
};

describe('usage and configuration errors exit 2 before touching any node', () => {
  test('unknown check ID in --only', async () => {
    const r = await runCli(['--target', 'local', '--only', 'HOST-1.2.2,HOST-7.7.7'], { timeoutMs: bound });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(
      'nodegate: --only: unknown check ID "HOST-7.7.7" — IDs are listed in the catalog (e.g. HOST-1.2.2, RT-2.3.1, or a prefix such as KUBELET or RT-2.2)',
    );
  });

  test('a profile that does not validate names the file and field', async () => {
    const profile = join(dir, 'profile.yaml');
    await writeFile(profile, 'containerd:\n  socket:\n    mode: 777x\n');
    const r = await runCli(['--profile', profile], { timeoutMs: bound });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${profile}: profile field "containerd.socket.mode": an octal mode`);
  });

  test('a profile that is not YAML names the line', async () => {
    const profile = join(dir, 'broken.yaml');
    await writeFile(profile, 'hosts: [ {ip: 10.0.0.10\n');
    const r = await runCli(['--profile', profile], { timeoutMs: bound });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${profile}:\\d+:\\d+: not valid YAML`));
  });

  test('an unknown flag and a malformed target', async () => {
    const flag = await runCli(['--tagret', 'local'], { timeoutMs: bound });
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--tagret'/);
    const target = await runCli(['--target', 'ftp://node'], { timeoutMs: bound });
    expect(target.exitCode).toBe(2);
    expect(target.stderr).toMatch(/invalid --target "ftp:\/\/node"/);
  });

  test('an SSH target with no key, no agent and no default key is a usage error, found before any check runs', async () => {
    const r = await runCli(['--target', 'ssh://root@127.0.0.1:9'], { timeoutMs: bound, env: { SSH_AUTH_SOCK: '', HOME: dir } });
    expect(r.exitCode).toBe(2);
    expect(said(r)).toMatch(/^nodegate: no SSH credentials: /);
    // Before: the suites ran first, so the summary said "GATE FAILED" and the process then exited 2.
    expect(r.stdout).toBe('');
  });

  test('a known_hosts file that cannot be read is a usage error before any check runs', async () => {
    const r = await runCli(['--target', 'ssh://root@127.0.0.1:9', '--known-hosts', dir], { timeoutMs: bound, env: { SSH_AUTH_SOCK: join(dir, 'agent.sock') } });
    expect(r.exitCode).toBe(2);
    expect(said(r)).toMatch(new RegExp(`^nodegate: cannot read known_hosts ${dir}: .*EISDIR`));
    expect(r.stdout).toBe('');
  });

  test('a snapshot that is not one', async () => {
    const file = join(dir, 'not-a-snapshot.json');
    await writeFile(file, '{"hello": 1}');
    const r = await runCli(['--snapshot', file], { timeoutMs: bound });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`snapshot ${file} is not a nodegate snapshot`);
  });
});

describe('a node that answers TCP but never speaks SSH', () => {
  test('is a timeout after --connect-timeout: exit 3, and the message names the setting', async () => {
    const silent = createServer(() => {}); // accepts and says nothing
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const key = join(dir, 'slow-key');
      generateKey(key);
      const r = await runCli(['--target', `ssh://root@127.0.0.1:${port}`, '--connect-timeout', '3', '--identity', key, '--known-hosts', join(dir, 'none')], { timeoutMs: bound });
      expect(r.exitCode).toBe(3);
      expect(said(r)).toMatch(new RegExp(`ssh://root@127\\.0\\.0\\.1:${port}: no SSH login within 3000 ms — .*raise --connect-timeout SECONDS \\(NODEGATE_CONNECT_TIMEOUT, connectTimeoutSeconds\\)`));
      expect(r.ms).toBeGreaterThan(3000);
      expect(r.ms).toBeLessThan(bound);
    } finally {
      silent.close();
    }
  });
});

// NODEGATE_REQUIRE_LABS turns "no sshd here" into a failure instead of a skip (test/support/lab-tier.ts).
const sshdReason = sshdUnavailable();
const sshdLab = requireLab('sshd lab', sshdReason === undefined ? { ok: true } : { ok: false, reason: sshdReason });
const noSshd = sshdLab.ok ? undefined : sshdLab.reason;
describe.skipIf(noSshd !== undefined)(`unobservable nodes exit 3 and say why${noSshd ? ` (skipped: ${noSshd})` : ''}`, () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const base = () => ['--identity', sshd.clientKeyPath, '--known-hosts', sshd.knownHostsPath];

  test('the control: the same server with the right key and known_hosts is audited (exit 0 or 1)', async () => {
    const r = await runCli(['--target', `ssh://root@127.0.0.1:${sshd.port}`, ...base(), '--only', 'HOST-1.1.3'], { timeoutMs: bound });
    expect(r.stderr).not.toMatch(/nodegate: /);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/PASS\s+HOST-1\.1\.3/);
  });

  test('refused port', async () => {
    const port = await freePort();
    const r = await runCli(['--target', `ssh://root@127.0.0.1:${port}`, ...base()], { timeoutMs: bound });
    expect(r.exitCode).toBe(3);
    expect(said(r)).toMatch(new RegExp(`ssh://root@127\\.0\\.0\\.1:${port}: .*refused`));
  });

  test('wrong key', async () => {
    const key = join(dir, 'stranger');
    generateKey(key);
    const r = await runCli(['--target', `ssh://root@127.0.0.1:${sshd.port}`, '--identity', key, '--known-hosts', sshd.knownHostsPath], { timeoutMs: bound });
    expect(r.exitCode).toBe(3);
    expect(said(r)).toMatch(/root.*stranger|stranger.*root/);
    expect(r.ms).toBeLessThan(bound);
  });

  test('unknown host key shows its fingerprint', async () => {
    const empty = join(dir, 'known_hosts_empty');
    await writeFile(empty, '');
    const r = await runCli(['--target', `ssh://root@127.0.0.1:${sshd.port}`, '--identity', sshd.clientKeyPath, '--known-hosts', empty], { timeoutMs: bound });
    expect(r.exitCode).toBe(3);
    expect(said(r)).toContain(sshd.hostKeyFingerprint);
    expect(said(r)).toMatch(/--accept-new-host-key/);
  });

  test('sudo that wants a password', async () => {
    const r = await runCli(['--target', `ssh://${sshdUsers.sudoPassword}@127.0.0.1:${sshd.port}`, ...base()], { timeoutMs: bound });
    expect(r.exitCode).toBe(3);
    expect(said(r)).toMatch(/password/);
    expect(said(r)).toMatch(/NOPASSWD/);
  });

  test('unreachable host (a lab address behind an unreachable route)', async () => {
    execFileSync('ip', ['route', 'replace', 'unreachable', '10.250.98.0/24']);
    try {
      const r = await runCli(['--target', 'ssh://root@10.250.98.1', ...base()], { timeoutMs: bound });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/ssh:\/\/root@10\.250\.98\.1:22: no route to 10\.250\.98\.1 \(EHOSTUNREACH\)/);
      expect(r.ms).toBeLessThan(bound);
    } finally {
      execFileSync('ip', ['route', 'del', 'unreachable', '10.250.98.0/24']);
    }
  });
});
