// Audits the machine nodegate runs on, with the same result shape as SSH so the gatherer cannot tell.
import { constants } from 'node:os';
import { execa } from 'execa';
import { TargetError } from '../errors.ts';
import type { ExecOptions, ExecResult, Target } from './types.ts';

/** Shells report death by signal N as 128+N; do the same so local and SSH results compare equal. */
export function signalExitCode(signal: string | undefined): number {
  const name = signal?.startsWith('SIG') ? signal : `SIG${signal ?? ''}`;
  const n = (constants.signals as Record<string, number | undefined>)[name];
  return n === undefined ? 255 : 128 + n;
}

export function effectiveTimeout(requested: number, cap: number | undefined): number {
  return cap === undefined ? requested : Math.min(requested, cap);
}

export function openLocal(options: { commandTimeoutMs?: number } = {}): Target {
  let roundTrips = 0;
  return {
    label: 'local',
    get roundTrips() {
      return roundTrips;
    },
    async exec(command: string, opts: ExecOptions): Promise<ExecResult> {
      roundTrips += 1;
      const timeoutMs = effectiveTimeout(opts.timeoutMs, options.commandTimeoutMs);
      // Own process group, so a timeout kills background children that would otherwise hold stdout open.
      const child = execa('sh', ['-c', command], {
        reject: false,
        detached: true,
        stripFinalNewline: false,
        ...(opts.stdin === undefined ? { stdin: 'ignore' as const } : { input: opts.stdin }),
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // The group is already gone: nothing left to stop.
          }
        }
      }, timeoutMs);
      const result = await child;
      clearTimeout(timer);
      if (timedOut) {
        throw new TargetError('timeout', 'local', `command did not finish within ${timeoutMs} ms: ${preview(command)}`,
          'the command hangs or the machine is overloaded; if it is just slow, raise --command-timeout SECONDS (NODEGATE_COMMAND_TIMEOUT, commandTimeoutSeconds)');
      }
      if (result.exitCode === undefined && result.signal === undefined) {
        throw new TargetError('probe-failed', 'local', `cannot run sh: ${result.shortMessage}`,
          'nodegate needs a POSIX sh on PATH');
      }
      return {
        stdout: String(result.stdout),
        stderr: String(result.stderr),
        exitCode: result.exitCode ?? signalExitCode(result.signal),
      };
    },
    async close() {},
  };
}

/** Enough of a command to recognise it in a message without dumping a whole probe script. */
export function preview(command: string): string {
  const line = command.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
