// --command-timeout reaches the transport: a probe slower than the bound is a named timeout (exit 3) whose hint names the flag.
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.ts';

describe('timeouts are settings a user can find', () => {
  test('--command-timeout bounds the probe on a local target, and the message says how to raise it', async () => {
    const r = await runCli(['--target', 'local', '--only', 'HOST-1.1.3', '--command-timeout', '0.05']);
    expect(r.exitCode).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('nodegate: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nodegate: worker-01: local: command did not finish within 50 ms: .* raise --command-timeout SECONDS \(NODEGATE_COMMAND_TIMEOUT, commandTimeoutSeconds\)$/);
  }, 60_000);

  test('NODEGATE_COMMAND_TIMEOUT does the same, and a bad value is a usage error', async () => {
    const r = await runCli(['--target', 'local', '--only', 'HOST-1.1.3'], { env: { NODEGATE_COMMAND_TIMEOUT: '0.05' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('command did not finish within 50 ms');
    const bad = await runCli(['--target', 'local', '--connect-timeout=-1']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toBe('nodegate: --connect-timeout: "-1" is not a positive number of seconds — e.g. 10 or 2.5');
    // node:util's parseArgs explains this one over three lines; the user still reads one.
    const dash = await runCli(['--target', 'local', '--connect-timeout', '-1']);
    expect(dash.exitCode).toBe(2);
    expect(dash.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^nodegate: Option '--connect-timeout' argument is ambiguous\. .*--connect-timeout=-XYZ.* — run `nodegate --help` for the options$/)]);
  }, 60_000);
});
