// A real OpenSSH server on loopback, with its own users and sudoers, so transport tests need no external node.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Login users inside the server's private /etc: what each may do with sudo. */
export const sshdUsers = {
  root: 'root',
  /** `NOPASSWD: ALL`. */
  sudoNopasswd: 'ngaudit',
  /** `ALL` with a password, which `sudo -n` cannot give. */
  sudoPassword: 'ngpass',
  /** No sudoers entry at all. */
  noSudo: 'ngplain',
} as const;

export interface Sshd {
  readonly port: number;
  /** From ssh-keygen -lf, to compare with what nodegate computes. */
  readonly hostKeyFingerprint: string;
  /** `ssh-ed25519 AAAA...` of the server. */
  readonly hostPublicKey: string;
  readonly clientKeyPath: string;
  /** A known_hosts with exactly the server's key under `[127.0.0.1]:port`. */
  readonly knownHostsPath: string;
  readonly dir: string;
  /** sshd's own log so far (-e, LogLevel VERBOSE): lets tests count connections the server saw. */
  log(): string;
  stop(): Promise<void>;
}

/** Why the sshd-backed tests cannot run here, or undefined when they can. */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root: sshd, unshare --mount and bind mounts over /etc';
  ensurePackages();
  for (const bin of ['/usr/sbin/sshd', '/usr/bin/ssh-keygen', '/usr/bin/sudo', '/usr/bin/unshare']) {
    if (!existsSync(bin)) return `${bin} is missing and apt-get could not install it`;
  }
  return undefined;
}

function ensurePackages(): void {
  if (existsSync('/usr/sbin/sshd') && existsSync('/usr/bin/sudo')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
  spawnSync('apt-get', ['install', '-y', '-qq', 'openssh-server', 'sudo'], { stdio: 'ignore', env, timeout: 300_000 });
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Makes an unencrypted (or passphrase-protected) ed25519 key pair; returns the private key path. */
export function generateKey(path: string, passphrase = ''): string {
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'nodegate-test', '-f', path]);
  return path;
}

/** The `type base64` part of a .pub file. */
export function publicKeyOf(privatePath: string): string {
  return readFileSync(`${privatePath}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function bannerSeen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => finish(false));
    sock.once('data', (b: Buffer) => finish(b.toString('latin1').startsWith('SSH-2.0')));
    sock.once('error', () => finish(false));
  });
}

function writeEtc(dir: string): void {
  const etc = join(dir, 'etc');
  mkdirSync(etc);
  const logins: string[] = [sshdUsers.sudoNopasswd, sshdUsers.sudoPassword, sshdUsers.noSudo];
  const keep = (file: string): string =>
    readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !logins.includes(l.split(':')[0] ?? '')).join('\n');
  const passwd = [keep('/etc/passwd')];
  const shadow = [keep('/etc/shadow')];
  const group = [keep('/etc/group')];
  logins.forEach((user, i) => {
    const id = 64_101 + i;
    const home = join(dir, 'home', user);
    mkdirSync(home, { recursive: true });
    spawnSync('chown', [`${id}:${id}`, home]);
    // bash for one user, so the tests see that commands still run in /bin/sh whatever the login shell.
    passwd.push(`${user}:x:${id}:${id}::${home}:${i === 0 ? '/bin/bash' : '/bin/sh'}`);
    // '*' = no password but not locked: public-key login works, sudo has nothing to check a password against.
    shadow.push(`${user}:*:19000:0:99999:7:::`);
    group.push(`${user}:x:${id}:`);
  });
  writeFileSync(join(etc, 'passwd'), `${passwd.join('\n')}\n`, { mode: 0o644 });
  writeFileSync(join(etc, 'shadow'), `${shadow.join('\n')}\n`, { mode: 0o640 });
  writeFileSync(join(etc, 'group'), `${group.join('\n')}\n`, { mode: 0o644 });
  const sudoersD = join(etc, 'sudoers.d');
  cpSync('/etc/sudoers.d', sudoersD, { recursive: true });
  chmodSync(sudoersD, 0o755);
  writeFileSync(join(sudoersD, 'nodegate-test'),
    `${sshdUsers.sudoNopasswd} ALL=(root) NOPASSWD: ALL\n${sshdUsers.sudoPassword} ALL=(root) ALL\n`, { mode: 0o440 });
}

/** Starts sshd on 127.0.0.1 at a free port; the host's /etc is only ever shadowed by bind mounts in a private namespace. */
export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'nodegate-sshd-'));
  chmodSync(dir, 0o755); // the login users must reach their homes inside it
  try {
    const hostKey = generateKey(join(dir, 'ssh_host_ed25519_key'));
    const clientKeyPath = generateKey(join(dir, 'client_key'));
    const authorized = join(dir, 'authorized_keys');
    mkdirSync(authorized);
    for (const user of Object.values(sshdUsers)) writeFileSync(join(authorized, user), `${publicKeyOf(clientKeyPath)}\n`);
    writeEtc(dir);
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}/%u`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${Object.values(sshdUsers).join(' ')}`,
      'MaxStartups 50',
      'LogLevel VERBOSE',
      '',
    ].join('\n'));
    const etc = join(dir, 'etc');
    const script = [
      'set -e',
      `mount --bind ${etc}/passwd /etc/passwd`,
      `mount --bind ${etc}/shadow /etc/shadow`,
      `mount --bind ${etc}/group /etc/group`,
      `mount --bind ${etc}/sudoers.d /etc/sudoers.d`,
      // sshd wants /run/sshd; a private tmpfs gives it one without creating anything on the host.
      'mount -t tmpfs -o mode=755 tmpfs /run',
      'mkdir -p /run/sshd',
      `exec /usr/sbin/sshd -D -e -f ${config}`,
    ].join('\n');
    const child: ChildProcess = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr?.on('data', (b: Buffer) => {
      log = (log + b.toString('utf8')).slice(-200_000);
    });
    const deadline = Date.now() + 15_000;
    while (!(await bannerSeen(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`sshd did not start on port ${port}: ${log.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const hostPublicKey = publicKeyOf(hostKey);
    const knownHostsPath = join(dir, 'known_hosts');
    writeFileSync(knownHostsPath, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
    const hostKeyFingerprint = run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`]).split(/\s+/)[1] ?? '';
    return {
      port,
      hostKeyFingerprint,
      hostPublicKey,
      clientKeyPath,
      knownHostsPath,
      dir,
      log: () => log,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
