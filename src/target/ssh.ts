// One verified, reused SSH connection per node, with failures named so the user knows what to fix.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import pRetry from 'p-retry';
import ssh2 from 'ssh2';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import { TargetError, UsageError } from '../errors.ts';
import { checkHostKey, fingerprint, hostToken, keyTypeOf, knownHostsLine, knownKeyTypes, parseKnownHosts } from './known-hosts.ts';
import { effectiveTimeout, preview, signalExitCode } from './local.ts';
import { targetLabel } from './parse.ts';
import type { ExecOptions, ExecResult, Target } from './types.ts';

export interface SshSpec {
  readonly user: string;
  readonly host: string;
  readonly port: number;
}

export interface SshOptions {
  readonly identityFile?: string;
  readonly knownHostsFile: string;
  readonly acceptNewHostKey: boolean;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs?: number;
}

type Credentials = { readonly privateKey: Buffer; readonly source: string } | { readonly agent: string; readonly source: string };

// ssh2 is CommonJS: Node's named-export detection finds Client but not utils, so take both from the default.
const { Client: SshClient, utils } = ssh2;

const transientCodes = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE']);
const lostBeforeLogin = 'connection closed before login';
/** How long after our deadline the node kills the command itself: it must never win the race with our timer. */
const remoteGraceMs = 100;

/** Errors worth a second try: the network blinked, or sshd shed load (MaxStartups) before the handshake. */
export function isTransient(error: unknown): boolean {
  if (error instanceof TargetError || !(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && transientCodes.has(code)) return true;
  return error.message === 'Connection lost before handshake' || error.message === lostBeforeLogin;
}

/** Unencrypted and private: a .pub file parses as a key too, but with no private half. */
function isUsablePrivateKey(data: Buffer): boolean {
  const parsed = utils.parseKey(data);
  // The typings claim getPrivatePEM() always returns a string; for a public key it returns null.
  return !(parsed instanceof Error) && (parsed.getPrivatePEM() as string | null) !== null;
}

async function loadKeyFile(path: string): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read identity file ${path}: ${(error as Error).message}`,
      'pass the path of an SSH private key readable by this user');
  }
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) {
    if (/passphrase/i.test(parsed.message)) {
      throw new UsageError(`identity file ${path} is encrypted and nodegate cannot ask for its passphrase`,
        `load it into ssh-agent (ssh-add ${path}) and run without an identity file, or use an unencrypted audit key`);
    }
    throw new UsageError(`identity file ${path} is not a usable private key: ${parsed.message}`,
      'pass an OpenSSH, PEM or PPK private key (not the .pub file)');
  }
  if (!isUsablePrivateKey(data)) {
    throw new UsageError(`identity file ${path} is not a usable private key: it holds only a public key`,
      'pass an OpenSSH, PEM or PPK private key (not the .pub file)');
  }
  return data;
}

async function credentials(identityFile: string | undefined): Promise<Credentials> {
  if (identityFile !== undefined) return { privateKey: await loadKeyFile(identityFile), source: `key ${identityFile}` };
  const agent = process.env.SSH_AUTH_SOCK;
  if (agent) return { agent, source: `the keys in ssh-agent (${agent})` };
  // Like ssh, fall back to the default key files, skipping encrypted ones we could not use anyway.
  for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
    const path = join(homedir(), '.ssh', name);
    const data = await readFile(path).catch(() => undefined);
    if (data && isUsablePrivateKey(data)) return { privateKey: data, source: `key ${path}` };
  }
  throw new UsageError('no SSH credentials: no identity file given, no ssh-agent (SSH_AUTH_SOCK unset), no usable ~/.ssh/id_* key',
    'pass an identity file or start ssh-agent with the audit key loaded');
}

/** Host key algorithms, the types already recorded for this host first, as OpenSSH orders them. */
function hostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const forType = (t: string): string[] => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]);
  const first = knownTypes.flatMap(forType).filter((a) => all.includes(a));
  return [...new Set([...first, ...all])];
}

async function readKnownHosts(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new UsageError(`cannot read known_hosts ${path}: ${(error as Error).message}`, 'fix its permissions or pass another known_hosts file');
  }
}

async function appendKnownHost(path: string, line: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const current = await readKnownHosts(path);
  const sep = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(path, `${sep}${line}\n`, { mode: 0o600 });
}

function shortKeyName(type: string): string {
  if (type === 'ssh-ed25519') return 'ed25519';
  if (type.startsWith('ecdsa-')) return 'ecdsa';
  return type === 'ssh-rsa' ? 'rsa' : type;
}

/** Decides on the presented host key; records why it refused so the connect error can say so. */
async function verifyHostKey(spec: SshSpec, options: SshOptions, label: string, key: Buffer): Promise<TargetError | undefined> {
  const file = options.knownHostsFile;
  const token = hostToken(spec.host, spec.port);
  const type = keyTypeOf(key);
  const fp = fingerprint(key);
  const verdict = checkHostKey(parseKnownHosts(await readKnownHosts(file)), spec.host, spec.port, key);
  switch (verdict.status) {
    case 'known':
      return undefined;
    case 'unknown':
      if (options.acceptNewHostKey) {
        await appendKnownHost(file, knownHostsLine(spec.host, spec.port, key));
        return undefined;
      }
      return new TargetError('host-key-unknown', label, `host key for ${token} is not in ${file}: ${type} ${fp}`,
        `check that fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_${shortKeyName(type)}_key.pub), then add it: ` +
        `ssh-keyscan -p ${spec.port} ${spec.host} >> ${file}; or pass --accept-new-host-key for a disposable lab`);
    case 'changed':
      return new TargetError('host-key-changed', label,
        `HOST KEY CHANGED for ${token}: ${file} line ${verdict.line} has ${verdict.knownType} ${verdict.knownFingerprint}, ` +
        `the server offered ${type} ${fp}`,
        `possible man-in-the-middle or a reinstalled node; confirm the new fingerprint out of band, then remove line ` +
        `${verdict.line} (ssh-keygen -R '${token}' -f ${file}); --accept-new-host-key never overrides a changed key`);
    case 'revoked':
      return new TargetError('host-key-changed', label,
        `host key ${type} ${fp} for ${token} is @revoked in ${file} line ${verdict.line}`,
        'a revoked key is never trusted: give the node a new host key, or fix that known_hosts line if it is wrong');
  }
}

function mapConnectError(error: unknown, spec: SshSpec, options: SshOptions, creds: Credentials, label: string): Error {
  if (error instanceof TargetError || error instanceof UsageError) return error;
  const e = error as Error & { code?: string; level?: string };
  const code = e.code ?? '';
  if (code === 'ECONNREFUSED') {
    return new TargetError('refused', label, `connection refused on port ${spec.port}`,
      `is sshd running and listening on ${spec.port}? check the port in --target and any firewall`, { cause: e });
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new TargetError('unreachable', label, `no route to ${spec.host} (${code})`,
      'check the address, this machine\'s routes and any firewall between here and the node', { cause: e });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || e.level === 'client-dns') {
    return new TargetError('dns', label, `cannot resolve host name ${spec.host} (${code || e.message})`,
      'check the name in --target and this machine\'s DNS, or use the node\'s IP address', { cause: e });
  }
  if (e.level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new TargetError('timeout', label, `no SSH login within ${options.connectTimeoutMs} ms`,
      'the node may be down or filtered; check the network path, or raise --connect-timeout SECONDS (NODEGATE_CONNECT_TIMEOUT, connectTimeoutSeconds)', { cause: e });
  }
  if (/All configured authentication methods failed/.test(e.message)) {
    return new TargetError('auth', label, `authentication failed for user ${spec.user} with ${creds.source}`,
      `check that the matching public key is in ~${spec.user}/.ssh/authorized_keys on the node and that ${spec.user} may log in`,
      { cause: e });
  }
  if (isTransient(e)) {
    return new TargetError('unreachable', label, `connection dropped before login, 3 attempts (${code || e.message})`,
      'sshd may be overloaded (MaxStartups) or a middlebox resets connections; retry later', { cause: e });
  }
  return new TargetError('probe-failed', label, `SSH connection failed: ${e.message}`,
    'check that the node runs a standard OpenSSH server', { cause: e });
}

function connectOnce(spec: SshSpec, options: SshOptions, creds: Credentials, label: string, knownTypes: string[]): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new SshClient();
    let hostKeyError: TargetError | undefined;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('ready');
      client.end();
      reject(hostKeyError ?? error);
    };
    const config: ConnectConfig = {
      host: spec.host,
      port: spec.port,
      username: spec.user,
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: hostKeyAlgorithms(knownTypes) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void): void => {
        verifyHostKey(spec, options, label, key).then(
          (refusal) => {
            hostKeyError = refusal;
            verify(refusal === undefined);
          },
          (error: unknown) => {
            // Reject first: verify(false) makes ssh2 emit its generic "Host denied" at once.
            fail(error);
            verify(false);
          },
        );
      },
      ...('agent' in creds ? { agent: creds.agent } : { privateKey: creds.privateKey }),
    };
    client.on('ready', () => {
      settled = true;
      resolve(client);
    });
    client.on('error', fail);
    client.on('close', () => fail(new Error(lostBeforeLogin)));
    client.connect(config);
  });
}

/**
 * What can be known wrong before any packet is sent: the key (or agent) and the known_hosts file. Run before the
 * audit starts, so a bad credential is a usage error (exit 2) and never shows up after a gate line.
 */
export async function preflightSsh(options: Pick<SshOptions, 'identityFile' | 'knownHostsFile'>): Promise<void> {
  await credentials(options.identityFile);
  await readKnownHosts(options.knownHostsFile);
}

export async function openSsh(spec: SshSpec, options: SshOptions): Promise<Target> {
  const label = targetLabel({ kind: 'ssh', ...spec });
  const creds = await credentials(options.identityFile);
  const knownTypes = knownKeyTypes(parseKnownHosts(await readKnownHosts(options.knownHostsFile)), spec.host, spec.port);
  let client: Client;
  try {
    client = await pRetry(() => connectOnce(spec, options, creds, label, knownTypes), {
      retries: 2,
      minTimeout: 250,
      factor: 2,
      randomize: false,
      shouldRetry: ({ error }) => isTransient(error),
    });
  } catch (error) {
    throw mapConnectError(error, spec, options, creds, label);
  }
  return new SshTarget(client, label, options.commandTimeoutMs);
}

class SshTarget implements Target {
  readonly label: string;
  #client: Client;
  #commandTimeoutMs: number | undefined;
  #roundTrips = 0;
  #closed = false;
  readonly #pending = new Set<(error: Error) => void>();

  constructor(client: Client, label: string, commandTimeoutMs: number | undefined) {
    this.#client = client;
    this.label = label;
    this.#commandTimeoutMs = commandTimeoutMs;
    // After login, errors surface through the pending execs; an unhandled 'error' event would crash the run.
    client.on('error', () => {});
    client.on('close', () => {
      this.#closed = true;
      const lost = new TargetError('unreachable', label, 'connection to the node was lost', 'check the node and the network, then rerun');
      for (const rejectExec of this.#pending) rejectExec(lost);
      this.#pending.clear();
    });
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  exec(command: string, options: ExecOptions): Promise<ExecResult> {
    this.#roundTrips += 1;
    const timeoutMs = effectiveTimeout(options.timeoutMs, this.#commandTimeoutMs);
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new TargetError('unreachable', this.label, 'connection is closed', 'open the target again'));
        return;
      }
      const done = (error: Error | undefined, result?: ExecResult): void => {
        if (!this.#pending.delete(done)) return;
        clearTimeout(timer);
        if (error) reject(error);
        else if (result) resolve(result);
      };
      this.#pending.add(done);
      let channel: ClientChannel | undefined;
      const timer = setTimeout(() => {
        channel?.close();
        done(new TargetError('timeout', this.label, `command did not finish within ${timeoutMs} ms: ${preview(command)}`,
          'the command hangs or the node is overloaded; if it is just slow, raise --command-timeout SECONDS (NODEGATE_COMMAND_TIMEOUT, commandTimeoutSeconds)'));
      }, timeoutMs);
      const started = this.#startExec(command, timeoutMs, (err, stream) => {
        if (err) {
          done(new TargetError('unreachable', this.label, `cannot open a session: ${err.message}`,
            'sshd may limit sessions (MaxSessions) or the connection dropped'));
          return;
        }
        channel = stream;
        if (!this.#pending.has(done)) {
          stream.close();
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let exitCode: number | undefined;
        stream.on('data', (b: Buffer) => out.push(b));
        stream.stderr.on('data', (b: Buffer) => errOut.push(b));
        stream.on('exit', (code: number | null, signal?: string) => {
          exitCode = code ?? signalExitCode(signal);
        });
        stream.on('close', () => {
          if (exitCode === undefined) {
            done(new TargetError('unreachable', this.label, `session closed without an exit status: ${preview(command)}`,
              'the node may have dropped the connection; rerun'));
            return;
          }
          done(undefined, {
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errOut).toString('utf8'),
            exitCode,
          });
        });
        stream.end(options.stdin ?? '');
      });
      if (!started) {
        done(new TargetError('unreachable', this.label, 'connection to the node was lost', 'check the node and the network, then rerun'));
      }
    });
  }

  /** ssh2 throws synchronously ("Not connected") when the socket died between calls; report that as false. */
  #startExec(command: string, timeoutMs: number, callback: (err: Error | undefined, stream: ClientChannel) => void): boolean {
    try {
      this.#client.exec(remoteCommand(command, timeoutMs), callback);
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const bound = setTimeout(resolve, 2000);
      this.#client.once('close', () => {
        clearTimeout(bound);
        resolve();
      });
      this.#client.end();
    });
  }
}

/**
 * The command line sent to sshd. The login shell may be bash, zsh or fish, so it only ever sees one exec of
 * /bin/sh with two quoted words. Closing a channel leaves a non-tty command running on the node (and OpenSSH
 * refuses signal requests in root sessions), so the node enforces the deadline too: coreutils `timeout`
 * kills the command's whole process group shortly after our own timer has already given up on it.
 */
export function remoteCommand(command: string, timeoutMs: number): string {
  const seconds = ((timeoutMs + remoteGraceMs) / 1000).toFixed(3);
  const launcher = `t=$(command -v timeout) && exec "$t" -s KILL ${seconds} /bin/sh -c "$1"; exec /bin/sh -c "$1"`;
  return `exec /bin/sh -c ${shQuote(launcher)} nodegate ${shQuote(command)}`;
}

/** POSIX single quoting: the one quoting that no sh expands inside. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
