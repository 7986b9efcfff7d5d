// A verdict: what a check concluded, with the evidence a person needs to act on it.

export type VerdictStatus = 'pass' | 'fail' | 'error' | 'skip';

export interface Verdict {
  readonly status: VerdictStatus;
  /** The documented state, in words a person compares (e.g. "mode 0660 or stricter"). */
  readonly expected: string;
  /** What the node has, in the same words. */
  readonly actual: string;
  /** Where the truth was read: a file path, a command, /proc/sys key, "default". */
  readonly source: string;
  /** One-paragraph explanation: what is wrong (fail), why it could not be observed (error), why skipped. */
  readonly message: string;
}

export type Evidence = Pick<Verdict, 'expected' | 'actual' | 'source'>;

export const pass = (e: Evidence, message = ''): Verdict => ({ status: 'pass', message, ...e });
export const fail = (e: Evidence, message: string): Verdict => ({ status: 'fail', message, ...e });
export const error = (e: Evidence, message: string): Verdict => ({ status: 'error', message, ...e });
export const skip = (e: Evidence, message: string): Verdict => ({ status: 'skip', message, ...e });
