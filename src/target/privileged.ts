// Root for the probe without a second round trip, and a clear diagnosis when sudo will not give it.
import { TargetError } from '../errors.ts';
import type { ExecResult } from './types.ts';

/**
 * Runs the script sent on stdin as root: directly when already uid 0, else through non-interactive sudo
 * (`-n`, because a password prompt would hang an unattended audit).
 */
export const privilegedShell = 'if [ "$(id -u)" -eq 0 ]; then exec sh -s; else exec sudo -n -- sh -s; fi';

/**
 * The narrowest sudoers rule the probe can run under: exactly `sh -s` (sudo matches arguments when the rule lists
 * them), so `sudo sh -c ...` and an interactive `sudo sh` are refused. It is still root for whatever arrives on
 * stdin, which is how the probe is sent; README "Auditing nodes" says so.
 */
export const sudoersRule = (user: string): string => `${user} ALL=(root) NOPASSWD: /usr/bin/sh -s, /bin/sh -s`;

const sudoersHint = (user: string): string =>
  `give the audit user a sudoers rule "${sudoersRule(user)}" ` +
  '(visudo -f /etc/sudoers.d/nodegate), or connect as root';

/** The audit user named in a label such as ssh://ops@host:22, for hints that can be pasted. */
function auditUser(target: string): string {
  const m = /^ssh:\/\/([^@]+)@/.exec(target);
  return m?.[1] ?? 'AUDIT_USER';
}

/** Recognises sudo refusing before the script ran; undefined when the failure (if any) is the script's own. */
export function sudoFailure(result: ExecResult, target: string): TargetError | undefined {
  if (result.exitCode === 0) return undefined;
  const err = result.stderr;
  const hint = sudoersHint(auditUser(target));
  if (/^sudo: (a password is required|a terminal is required)/m.test(err)) {
    return new TargetError('sudo-password', target, 'sudo wants a password, and nodegate runs sudo -n (never prompts)', hint);
  }
  if (/is not in the sudoers file/m.test(err)) {
    return new TargetError('auth', target, `${auditUser(target)} is not in the sudoers file, so the audit cannot become root`, hint);
  }
  if (/^(Sorry, user \S+ is not allowed to execute|sudo: .*not allowed to execute)/m.test(err)) {
    return new TargetError('auth', target, `sudo does not allow ${auditUser(target)} to run sh as root`, hint);
  }
  if (result.exitCode === 127 && /sudo: (command )?not found|sudo: No such file/m.test(err)) {
    return new TargetError('auth', target, 'sudo is not installed and the login user is not root',
      'install sudo and add a NOPASSWD rule for the audit user, or connect as root');
  }
  return undefined;
}
