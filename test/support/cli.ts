// Runs the real nodegate CLI as a child process, bounded in time, for end-to-end tests.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return runNode([`${repoRoot}bin/nodegate.js`, ...args], options);
}

/** `vitest run ARGS` from the repository root with its vitest.config.ts: the compliance suites without the CLI. */
export function runVitestSuites(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return runNode([`${repoRoot}node_modules/vitest/vitest.mjs`, 'run', ...args], options);
}

function runNode(argv: readonly string[], options: RunOptions): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr, ms: performance.now() - started });
    });
  });
}
