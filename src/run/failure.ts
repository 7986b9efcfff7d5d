// How a run that ended early is told to the user: one line, and the exit code that says what happened.
import { ExitCode, NodegateError, reportBugHint } from '../errors.ts';

/** The line to print and the code to exit with, for a failure that ended the run before a gate decision. */
export function failureReport(cause: unknown): { readonly code: ExitCode; readonly line: string } {
  if (cause instanceof NodegateError) return { code: cause.exitCode, line: `nodegate: ${cause.oneLine()}` };
  // Not one of nodegate's named failures: a bug. Its own exit code, never 1 ("not compliant").
  const what = cause instanceof Error ? `${cause.name}: ${cause.message.split('\n')[0] ?? ''}` : (String(cause).split('\n')[0] ?? '');
  return { code: ExitCode.internal, line: `nodegate: internal error: ${what} — ${reportBugHint}` };
}
