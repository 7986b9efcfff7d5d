// The local transport runs real commands: same result shape, exit codes and timeouts as SSH.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TargetError } from '../../src/errors.ts';
import { openTarget } from '../../src/target/index.ts';
import { openLocal, signalExitCode } from '../../src/target/local.ts';

describe('local target', () => {
  it('runs sh -c with stdin, keeps output byte for byte, and counts round trips', async () => {
    const t = await openTarget({ kind: 'local' });
    expect(t.label).toBe('local');
    expect(await t.exec('cat; printf "warn\\n" >&2', { stdin: 'a "b" $HOME\n\n', timeoutMs: 5000 }))
      .toEqual({ stdout: 'a "b" $HOME\n\n', stderr: 'warn\n', exitCode: 0 });
    expect((await t.exec('exit 42', { timeoutMs: 5000 })).exitCode).toBe(42);
    expect((await t.exec('kill -TERM $$', { timeoutMs: 5000 })).exitCode).toBe(143);
    expect((await t.exec('cat', { timeoutMs: 5000 })).stdout).toBe(''); // no stdin means EOF, not a hang
    expect(t.roundTrips).toBe(4);
    await t.close();
  });

  it('a command over its timeout is a timeout error and its background children die with it', async () => {
    const t = openLocal();
    const started = performance.now();
    let error: unknown;
    try {
      await t.exec('(sleep 41.75; echo late) & echo early; sleep 41.75', { timeoutMs: 300 });
    } catch (e) {
      error = e;
    }
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as TargetError).failure).toBe('timeout');
    expect((error as TargetError).message).toBe('local: command did not finish within 300 ms: (sleep 41.75; echo late) & echo early; sleep 41.75');
    expect(spawnSync('pgrep', ['-af', 'sleep 41.75'], { encoding: 'utf8' }).stdout).toBe('');
  });

  it('commandTimeoutMs caps the timeout a caller asks for', async () => {
    const t = await openTarget({ kind: 'local' }, { commandTimeoutMs: 200 });
    await expect(t.exec('sleep 41.5', { timeoutMs: 60_000 })).rejects.toThrow('local: command did not finish within 200 ms: sleep 41.5');
  });

  it('maps signals the way a shell reports them', () => {
    expect(signalExitCode('SIGKILL')).toBe(137);
    expect(signalExitCode('TERM')).toBe(143);
    expect(signalExitCode(undefined)).toBe(255);
  });
});
