// A run that ends early says what happened in one line, with an exit code of its own for each kind of failure.
import { describe, expect, test } from 'vitest';
import { ExitCode, InternalError, TargetError, UsageError } from '../../src/errors.ts';
import { failureReport } from '../../src/run/failure.ts';

describe('failureReport', () => {
  test('named failures keep their code and their one line', () => {
    expect(failureReport(new UsageError('--only: unknown check ID "X"', 'see the catalog'))).toEqual({
      code: ExitCode.usage,
      line: 'nodegate: --only: unknown check ID "X" — see the catalog',
    });
    expect(failureReport(new TargetError('refused', 'ssh://root@h:22', 'connection refused', 'is sshd running?')).code).toBe(ExitCode.unobservable);
  });

  test('an unexpected exception is exit 4 (never 1, "not compliant") with where to report it, on one line', () => {
    const r = failureReport(new TypeError("Cannot read properties of undefined (reading 'x')\n    at somewhere"));
    expect(r.code).toBe(4);
    expect(r.line).toBe(
      "nodegate: internal error: TypeError: Cannot read properties of undefined (reading 'x') — " +
        'this is a bug in nodegate: report it with the command line and this message (README, "Exit codes")',
    );
    expect(failureReport('thrown string\nsecond line')).toEqual({ code: 4, line: expect.stringMatching(/^nodegate: internal error: thrown string — this is a bug/) });
    expect(failureReport(new InternalError('the run did not complete')).code).toBe(ExitCode.internal);
  });
});
