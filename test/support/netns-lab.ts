// Lab tests need many real SSH targets: this drives labs/netns/lab.sh (one netns + sshd per node) from Vitest.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireLab, type Availability } from './lab-tier.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const labScript = join(repoRoot, 'labs/netns/lab.sh');
const sharedArtifacts = join(repoRoot, 'fixtures/artifacts');

export interface LabNodeSpec {
  name: string;
  variant: string;
}

export interface LabNode {
  name: string;
  variant: string;
  address: string;
  netns: string;
  target: string;
  identityFile: string;
  knownHostsFile: string;
}

export interface Lab {
  nodes: LabNode[];
  dir: string;
  stop(): Promise<void>;
}

export interface StartLabOptions {
  /** Bound on the wait for every sshd to accept TCP after `up` returns. */
  readyTimeoutMs?: number;
  /** Leave the lab dir (logs, node trees, overlay upper dirs) after stop(). */
  keepDir?: boolean;
}

interface UpLine {
  name: string;
  variant: string;
  address: string;
  port: number;
  netns: string;
}

function run(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  // lab.sh needs a node binary for the socket stand-in; this process's own is always there.
  const env = { ...process.env, NODEGATE_LAB_NODE: process.execPath };
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

function onPath(cmd: string): boolean {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** Whether this machine can build the lab; under NODEGATE_REQUIRE_LABS=1 a "no" throws instead (lab-tier.ts). */
export function labAvailable(): Availability {
  return requireLab('namespace lab', canBuildLab());
}

function canBuildLab(): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: 'the namespace lab needs Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the namespace lab needs root (netns, veths, mounts)' };
  for (const cmd of ['ip', 'sshd', 'ssh', 'ssh-keygen', 'unshare', 'sudo', 'flock', 'openssl']) {
    if (!onPath(cmd)) {
      return { ok: false, reason: `${cmd} is missing (apt-get install -y openssh-server openssh-client sudo iproute2 procps util-linux openssl gzip)` };
    }
  }
  // lab.sh reads /proc/config.gz, else the distro's /boot/config-$(uname -r) (stock Debian kernels have only that).
  if (!existsSync('/proc/config.gz') && !existsSync(`/boot/config-${release()}`)) {
    return { ok: false, reason: `neither /proc/config.gz nor /boot/config-${release()} exists (needed for the nodes' /boot/config)` };
  }
  if (!existsSync(sharedArtifacts)) return { ok: false, reason: `${sharedArtifacts} is missing (node configs are generated from it)` };
  return { ok: true };
}

function waitForTcp(host: string, port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const sock = connect({ host, port });
      sock.setTimeout(1000);
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      const retry = (): void => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on ${host}:${port} did not accept TCP in time`));
        else setTimeout(attempt, 50);
      };
      sock.once('error', retry);
      sock.once('timeout', retry);
    };
    attempt();
  });
}

/** Node names are global on the machine (netns `ng-<name>`): pick names no concurrent test uses. */
export async function startLab(nodes: LabNodeSpec[], opts: StartLabOptions = {}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'nodegate-lab-'));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await run(labScript, ['down', '--dir', dir]);
    if (!opts.keepDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(labScript, ['up', '--dir', dir, ...nodes.map((n) => `${n.name}=${n.variant}`)]);
    const lines = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as UpLine);
    const hostKey = (await readFile(join(dir, 'keys/ssh_host_ed25519_key.pub'), 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    const knownHostsFile = join(dir, 'known_hosts');
    await writeFile(knownHostsFile, lines.map((l) => `${l.address} ${hostKey}\n`).join(''));
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 15_000);
    await Promise.all(lines.map((l) => waitForTcp(l.address, l.port, deadline)));
    const identityFile = join(dir, 'keys/client');
    return {
      dir,
      stop,
      nodes: lines.map((l) => ({
        name: l.name,
        variant: l.variant,
        address: l.address,
        netns: l.netns,
        target: `ssh://root@${l.address}`,
        identityFile,
        knownHostsFile,
      })),
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
