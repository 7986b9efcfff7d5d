// Checks of swap, modules, AppArmor, systemd and the kubelet's command line need a real node: this drives
// labs/vm (a Debian 12 kubeadm-style worker under qemu, built once and cached) from Vitest.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireLab, type Availability } from './lab-tier.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const vmLabDir = join(repoRoot, 'labs/vm');
const scenarioDir = join(vmLabDir, 'scenarios');
const sharedArtifacts = join(repoRoot, 'fixtures/artifacts');
/** What CI installs for this tier (gcc and libc6-dev build the kubelet stand-in statically). */
export const vmLabPackages = 'qemu-system-x86 qemu-utils debootstrap e2fsprogs openssh-client zstd openssl gcc libc6-dev';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface Vm {
  /** ssh://root@127.0.0.1:PORT, a loopback forward to the guest's sshd. */
  target: string;
  identityFile: string;
  knownHostsFile: string;
  /** Loopback ports forwarded to the guest's 10250 and 10255. */
  kubeletPorts: { secure: number; readOnly: number };
  /** Kernel arguments this VM was booted with beyond the lab's defaults. */
  kernelArgs: string;
  bootSeconds: number;
  /** The guest's serial console (kernel messages: OOM reports, hung tasks, panics), readable until stop(). */
  consoleLog: string;
  /** Runs a POSIX sh script as root on the node; stdin is /dev/null while it runs (`ctr run` and friends eat it). */
  exec(script: string, opts?: { timeoutMs?: number }): Promise<ExecResult>;
  /** Runs labs/vm/scenarios/NAME.sh; throws with its output when it exits non-zero. */
  applyScenario(name: string, opts?: { timeoutMs?: number }): Promise<ExecResult>;
  stop(): Promise<void>;
}

interface BootLine {
  pid: number;
  stateDir: string;
  sshPort: number;
  securePort: number;
  readOnlyPort: number;
  identityFile: string;
  knownHostsFile: string;
  bootSeconds: number;
}

function onPath(cmd: string): boolean {
  const dirs = (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** Whether this machine can boot the VM lab; under NODEGATE_REQUIRE_LABS=1 a "no" throws instead (lab-tier.ts). */
export function vmLabAvailable(): Availability {
  return requireLab('VM lab', canBootVm());
}

function canBootVm(): Availability {
  if (process.platform !== 'linux' || process.arch !== 'x64') return { ok: false, reason: 'the VM lab needs Linux on x86_64' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the VM lab needs root (debootstrap, chroot, image ownership)' };
  for (const cmd of ['qemu-system-x86_64', 'debootstrap', 'mkfs.ext4', 'zstd', 'ssh', 'ssh-keygen', 'openssl', 'gcc']) {
    if (!onPath(cmd)) return { ok: false, reason: `${cmd} is missing (apt-get install -y --no-install-recommends ${vmLabPackages})` };
  }
  if (!existsSync(join(sharedArtifacts, 'kubelet-systemd'))) {
    return { ok: false, reason: `${sharedArtifacts} is missing (the kubeadm layout is read from it)` };
  }
  return { ok: true };
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20, timeout: timeoutMs, killSignal: 'SIGTERM' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** The kernel arguments a scenario needs (its `# nodegate-vm kernel-args:` line), or '' when it needs none. */
export async function scenarioKernelArgs(name: string): Promise<string> {
  const text = await readFile(join(scenarioDir, `${name}.sh`), 'utf8');
  return /^# nodegate-vm kernel-args: (.*)$/m.exec(text)?.[1]?.trim() ?? '';
}

export async function scenarioNames(): Promise<string[]> {
  return (await readdir(scenarioDir)).filter((f) => f.endsWith('.sh')).map((f) => f.slice(0, -3)).sort();
}

/** Builds the image first when its recipe changed (minutes on a cold cache), then boots it (~30 s under TCG). */
export async function buildVmImage(): Promise<string> {
  const { stdout } = await run(join(vmLabDir, 'build-image.sh'), [], 20 * 60_000);
  return stdout.trim();
}

const running = new Set<number>();
process.once('exit', () => {
  // A test run that dies must not leave a 2 GB qemu behind; only our own pids, by pid.
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export async function startVm(opts: { kernelArgs?: string; bootTimeoutSeconds?: number } = {}): Promise<Vm> {
  await buildVmImage();
  const stateDir = await mkdtemp(join(tmpdir(), 'nodegate-vm-'));
  const kernelArgs = opts.kernelArgs ?? '';
  const args = ['--state', stateDir, '--timeout', String(opts.bootTimeoutSeconds ?? 120)];
  if (kernelArgs !== '') args.push('--kernel-args', kernelArgs);
  const { stdout } = await run(join(vmLabDir, 'boot.sh'), args, 5 * 60_000);
  const boot = JSON.parse(stdout.trim().split('\n').pop() ?? '') as BootLine;
  running.add(boot.pid);

  const controlPath = join(boot.stateDir, 'ssh.ctl');
  const common = [
    '-F', 'none', '-i', boot.identityFile, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${boot.knownHostsFile}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=10', '-p', String(boot.sshPort), '-o', `ControlPath=${controlPath}`,
  ];
  // One multiplexed connection: a key exchange under TCG costs a second or more per exec. The master gets no pipes
  // (a backgrounded master holding them would keep every exec's 'close' from firing); execs fall back to a direct
  // connection when it is gone.
  await new Promise<void>((resolve) => {
    const master = spawn('ssh', [...common, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=yes', '-N', '-f', 'root@127.0.0.1'], {
      stdio: 'ignore',
    });
    master.once('exit', () => resolve());
    master.once('error', () => resolve());
  });
  const sshArgs = [
    ...common, '-o', 'ControlMaster=no', 'root@127.0.0.1',
    // The whole script lands in a file before it runs, so nothing it starts can read the rest of it from stdin.
    'f=$(mktemp) && cat >"$f" && sh "$f" </dev/null; rc=$?; rm -f "$f"; exit $rc',
  ];
  const exec = (script: string, o: { timeoutMs?: number } = {}): Promise<ExecResult> =>
    new Promise((resolve, reject) => {
      const child = spawn('ssh', sshArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGTERM'), o.timeoutMs ?? 120_000);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (signal) reject(new Error(`ssh to the VM ended by ${signal} (timeout?)\n${stderr}`));
        else resolve({ stdout, stderr, code: code ?? -1 });
      });
      child.stdin.end(script);
    });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // End the multiplexing master (our own child, found by its control socket) before its VM goes away.
    await run('ssh', ['-F', 'none', '-o', `ControlPath=${controlPath}`, '-O', 'exit', 'root@127.0.0.1'], 10_000).catch(
      () => undefined,
    );
    await run(join(vmLabDir, 'stop.sh'), ['--state', stateDir], 30_000);
    running.delete(boot.pid);
  };

  const applyScenario = async (name: string, o: { timeoutMs?: number } = {}): Promise<ExecResult> => {
    const needs = await scenarioKernelArgs(name);
    if (needs !== '' && !needs.split(/\s+/).every((a) => kernelArgs.split(/\s+/).includes(a))) {
      throw new Error(`scenario ${name} is a boot option: start the VM with startVm({ kernelArgs: '${needs}' })`);
    }
    const script = await readFile(join(scenarioDir, `${name}.sh`), 'utf8');
    const result = await exec(script, o);
    if (result.code !== 0) {
      throw new Error(`scenario ${name} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
    }
    return result;
  };

  return {
    target: `ssh://root@127.0.0.1:${boot.sshPort}`,
    identityFile: boot.identityFile,
    knownHostsFile: boot.knownHostsFile,
    kubeletPorts: { secure: boot.securePort, readOnly: boot.readOnlyPort },
    kernelArgs,
    bootSeconds: boot.bootSeconds,
    consoleLog: join(boot.stateDir, 'console.log'),
    exec,
    applyScenario,
    stop,
  };
}

/** Runs a script on the VM and returns its trimmed stdout; a non-zero exit is an error showing both streams. */
export async function vmSh(vm: Vm, script: string, timeoutMs = 120_000): Promise<string> {
  const r = await vm.exec(script, { timeoutMs });
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${script}\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

/** Times steps of a VM test into one record, printed at the end for the closing numbers. */
export function stepTimer(): { timings: Record<string, number>; timed: <T>(label: string, fn: () => Promise<T>) => Promise<T> } {
  const timings: Record<string, number> = {};
  return {
    timings,
    async timed(label, fn) {
      const start = Date.now();
      try {
        return await fn();
      } finally {
        timings[label] = (Date.now() - start) / 1000;
      }
    },
  };
}
