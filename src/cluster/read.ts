// One API read with bounded retries of transient failures (429, 5xx, resets), honouring Retry-After, recorded as
// a Read<T> (value or typed failure) so a check never sees an exception and never mistakes a failure for a pass.
import pRetry, { AbortError } from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyFailure, isTransient, retryAfterMs, type ApiRequest } from './failure.ts';
import type { Read } from './types.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
  /** The longest Retry-After honoured; a server asking for longer gets this (the run must end). */
  readonly maxRetryAfterMs: number;
  /** Upper bound on the whole read, waits included. */
  readonly maxRetryTimeMs: number;
  /** One attempt's limit: a server that accepts the connection and never answers must not hang the run. */
  readonly attemptTimeoutMs?: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 4, minTimeoutMs: 200, maxTimeoutMs: 2_000, maxRetryAfterMs: 10_000, maxRetryTimeMs: 30_000, attemptTimeoutMs: 15_000 };

/** An attempt that got no answer in time; its code makes it transient like a reset. */
export class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
  readonly code = 'ETIMEDOUT';
}

function withTimeout<T>(call: () => Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return call();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeoutError(`no answer within ${ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`}`)), ms);
  });
  return Promise.race([call(), timeout]).finally(() => clearTimeout(timer));
}

/** A projection that rejects what the server sent (the read then fails as invalid, with this reason). */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
}

export async function readOnce<T>(req: ApiRequest, call: () => Promise<T>, policy: RetryPolicy = defaultRetryPolicy): Promise<Read<T>> {
  let attempts = 0;
  try {
    const value = await pRetry(
      async () => {
        attempts++;
        try {
          return await withTimeout(call, policy.attemptTimeoutMs);
        } catch (err) {
          // Only transient failures reach p-retry's backoff; the rest end the read at once.
          if (!isTransient(err)) throw new AbortError(err instanceof Error ? err : new Error(String(err)));
          throw err instanceof Error ? err : new Error(String(err));
        }
      },
      {
        retries: policy.retries,
        minTimeout: policy.minTimeoutMs,
        maxTimeout: policy.maxTimeoutMs,
        maxRetryTime: policy.maxRetryTimeMs,
        randomize: true,
        // p-retry waits its own backoff after this returns: top it up to what Retry-After asked for.
        onFailedAttempt: async ({ error, retriesLeft, retryDelay }) => {
          if (retriesLeft === 0) return;
          const asked = retryAfterMs(error);
          if (asked === undefined) return;
          const extra = Math.min(asked, policy.maxRetryAfterMs) - retryDelay;
          if (extra > 0) await sleep(extra);
        },
      },
    );
    return { ok: true, value, attempts };
  } catch (err) {
    return { ok: false, failure: classifyFailure(original(err), req), attempts };
  }
}

/** AbortError keeps the thrown value in originalError; p-retry rethrows it wrapped. */
function original(err: unknown): unknown {
  if (err instanceof AbortError) return (err.originalError as unknown) ?? err;
  return err;
}
