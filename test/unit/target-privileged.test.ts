// Root for the probe: the privileged shell really runs here, and sudo's refusals map to clear errors.
import { describe, expect, it } from 'vitest';
import { openTarget } from '../../src/target/index.ts';
import { privilegedShell, sudoFailure } from '../../src/target/privileged.ts';

const target = 'ssh://ops@10.250.0.9:22';
const result = (stderr: string, exitCode = 1): { stdout: string; stderr: string; exitCode: number } => ({ stdout: '', stderr, exitCode });

describe('privilegedShell', () => {
  it.skipIf(process.getuid?.() !== 0)('runs the stdin script as root in one round trip when already root', async () => {
    const t = await openTarget({ kind: 'local' });
    const r = await t.exec(privilegedShell, { stdin: 'id -u\necho "$0"\n', timeoutMs: 5000 });
    expect(r).toEqual({ stdout: '0\nsh\n', stderr: '', exitCode: 0 });
    expect(t.roundTrips).toBe(1);
  });

  it('uses non-interactive sudo only when not root', () => {
    expect(privilegedShell).toContain('exec sudo -n -- sh -s');
    expect(privilegedShell).toContain('[ "$(id -u)" -eq 0 ]');
  });
});

describe('sudoFailure', () => {
  // The texts are sudo 1.9's own messages (Debian 12); the lab test provokes the first one for real.
  it.each([
    'sudo: a password is required\n',
    'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\n',
  ])('maps %j to sudo-password with a NOPASSWD hint', (stderr) => {
    const e = sudoFailure(result(stderr), target);
    expect(e?.failure).toBe('sudo-password');
    expect(e?.oneLine()).toBe('ssh://ops@10.250.0.9:22: sudo wants a password, and nodegate runs sudo -n (never prompts) — ' +
      'give the audit user a sudoers rule "ops ALL=(root) NOPASSWD: /usr/bin/sh -s, /bin/sh -s" (visudo -f /etc/sudoers.d/nodegate), or connect as root');
  });

  it('maps not-in-sudoers and not-allowed to auth', () => {
    expect(sudoFailure(result('ops is not in the sudoers file.  This incident will be reported.\n'), target)?.message)
      .toBe('ssh://ops@10.250.0.9:22: ops is not in the sudoers file, so the audit cannot become root');
    const denied = sudoFailure(result("Sorry, user ops is not allowed to execute '/usr/bin/sh -s' as root on node1.\n"), target);
    expect(denied?.failure).toBe('auth');
    expect(denied?.message).toBe('ssh://ops@10.250.0.9:22: sudo does not allow ops to run sh as root');
  });

  it('maps sudo missing (dash and bash wording) to auth', () => {
    for (const stderr of ['sh: 1: exec: sudo: not found\n', 'bash: line 1: sudo: command not found\n']) {
      const e = sudoFailure(result(stderr, 127), target);
      expect(e?.failure, stderr).toBe('auth');
      expect(e?.oneLine()).toBe('ssh://ops@10.250.0.9:22: sudo is not installed and the login user is not root — ' +
        'install sudo and add a NOPASSWD rule for the audit user, or connect as root');
    }
  });

  it('leaves success and the script\'s own failures alone', () => {
    expect(sudoFailure({ stdout: 'x', stderr: 'sudo: a password is required\n', exitCode: 0 }, target)).toBeUndefined();
    expect(sudoFailure(result('cat: /etc/kubernetes/kubelet.conf: No such file or directory\n', 1), target)).toBeUndefined();
    expect(sudoFailure(result('', 127), target)).toBeUndefined();
  });
});
