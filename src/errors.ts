// Typed errors that name what failed, where, and what to do; each maps to one exit code.

/** Exit codes of the CLI: the CI gate's contract. */
export const ExitCode = {
  compliant: 0,
  nonCompliant: 1,
  usage: 2,
  unobservable: 3,
  /** nodegate itself failed: an unexpected exception, or selected checks that never reported a verdict. */
  internal: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export abstract class NodegateError extends Error {
  abstract readonly exitCode: ExitCode;
  /** What the user should do about it. */
  readonly hint: string;
  constructor(message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.hint = hint;
    this.name = new.target.name;
  }
  /** The one line printed for the user. */
  oneLine(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

/** Bad flags, unknown check IDs, a profile or config file that does not parse or validate. */
export class UsageError extends NodegateError {
  readonly exitCode = ExitCode.usage;
}

/** Where a user reports a nodegate bug; printed under every internal error. */
export const reportBugHint = 'this is a bug in nodegate: report it with the command line and this message (README, "Exit codes")';

/** A failure of nodegate itself, not of the node or the user's input: exit 4, never "not compliant". */
export class InternalError extends NodegateError {
  readonly exitCode = ExitCode.internal;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, reportBugHint, options);
  }
}

export type TargetFailure =
  | 'unreachable'
  | 'refused'
  | 'dns'
  | 'timeout'
  | 'auth'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'sudo-password'
  | 'probe-failed';

/** The node could not be observed at all: nothing about its compliance is known. */
export class TargetError extends NodegateError {
  readonly exitCode = ExitCode.unobservable;
  readonly failure: TargetFailure;
  readonly target: string;
  constructor(failure: TargetFailure, target: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(`${target}: ${message}`, hint, options);
    this.failure = failure;
    this.target = target;
  }
}
