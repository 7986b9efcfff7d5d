// The one door to a node: callers name a spec and get a Target, never a transport.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TargetSpec } from './parse.ts';
import type { Target } from './types.ts';

export { parseTargetSpec, targetLabel } from './parse.ts';
export type { TargetSpec } from './parse.ts';
export { privilegedShell, sudoFailure } from './privileged.ts';
export type { ExecOptions, ExecResult, Target } from './types.ts';

export interface OpenTargetOptions {
  readonly identityFile?: string;
  /** Defaults to ~/.ssh/known_hosts, the file the user's own ssh already trusts. */
  readonly knownHostsFile?: string;
  /** OpenSSH accept-new: record an unknown key, never replace a changed one. */
  readonly acceptNewHostKey?: boolean;
  readonly connectTimeoutMs?: number;
  /** Upper bound on any single exec, whatever the caller asks. */
  readonly commandTimeoutMs?: number;
}

/** Checks what can be checked without the network (SSH key or agent, known_hosts); throws the UsageError a connect would. */
export async function preflightTarget(spec: TargetSpec, options: OpenTargetOptions = {}): Promise<void> {
  if (spec.kind === 'local') return;
  const { preflightSsh } = await import('./ssh.ts');
  await preflightSsh({ identityFile: options.identityFile, knownHostsFile: options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts') });
}

/** Each transport is loaded only when used: ssh2 and execa together cost a fifth of a second at start. */
export async function openTarget(spec: TargetSpec, options: OpenTargetOptions = {}): Promise<Target> {
  if (spec.kind === 'local') {
    const { openLocal } = await import('./local.ts');
    return openLocal({ commandTimeoutMs: options.commandTimeoutMs });
  }
  const { openSsh } = await import('./ssh.ts');
  return openSsh(spec, {
    identityFile: options.identityFile,
    knownHostsFile: options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts'),
    acceptNewHostKey: options.acceptNewHostKey ?? false,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    commandTimeoutMs: options.commandTimeoutMs,
  });
}
