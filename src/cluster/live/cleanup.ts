// Everything a live run creates is registered here before it is created, and removed in reverse order at the
// end of the run, on SIGINT and on SIGTERM; an interrupt also aborts the waits in flight.

/** The part of `process` the registry uses, so tests can send signals without killing the test runner. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface CleanupResult {
  readonly name: string;
  readonly ok: boolean;
  readonly message?: string;
}

const exitCodes = { SIGINT: 130, SIGTERM: 143 } as const;
const formatMs = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`);

export class CleanupRegistry {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private readonly controller = new AbortController();
  private running: Promise<CleanupResult[]> | undefined;
  private readonly handlers: { signal: 'SIGINT' | 'SIGTERM'; fn: () => void }[] = [];
  private source: SignalSource | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Aborted when the run is interrupted: pass it to every wait. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Register before creating: a step must tolerate the object not existing (yet, or any more). */
  add(name: string, run: () => Promise<void>): void {
    if (this.running) throw new Error(`cleanup already started; cannot register ${name}`);
    this.steps.push({ name, run });
  }

  /**
   * A create in flight: cleanup waits for it to settle first, so an object whose create was sent just before an
   * interrupt is deleted after it exists, not before (which would leave it behind).
   */
  track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight.add(operation);
    const forget = (): void => {
      this.inFlight.delete(operation);
    };
    operation.then(forget, forget);
    return operation;
  }

  /** Runs every step once, last registered first; a failing step does not stop the others. Idempotent. */
  runAll(): Promise<CleanupResult[]> {
    this.running ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      const results: CleanupResult[] = [];
      for (const step of [...this.steps].reverse()) {
        try {
          await step.run();
          results.push({ name: step.name, ok: true });
        } catch (err) {
          results.push({ name: step.name, ok: false, message: err instanceof Error ? err.message : String(err) });
        }
      }
      this.uninstall();
      return results;
    })();
    return this.running;
  }

  /**
   * On SIGINT/SIGTERM: abort the waits, clean up, then exit with 130/143 through `exit` (process.exit by default).
   * A second signal while cleaning up is ignored (cutting the cleanup short is what leaves namespaces behind); a
   * third exits at once, and so does a cleanup that outlasts `timeoutMs` (an API server that stopped answering):
   * the namespace's expiry then lets the next run's sweep remove it.
   */
  installSignalHandlers(source: SignalSource, exit: (code: number) => void, options: { onInterrupt?: (message: string) => void; timeoutMs?: number } = {}): void {
    let signals = 0;
    let exited = false;
    const leave = (code: number): void => {
      if (exited) return;
      exited = true;
      exit(code);
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const fn = (): void => {
        signals++;
        if (signals === 2) options.onInterrupt?.('cleaning up the run namespace; interrupt again to leave it for the next run\'s sweep');
        if (signals >= 3) return leave(exitCodes[signal]);
        if (signals > 1) return;
        options.onInterrupt?.(`${signal}: cleaning up`);
        this.controller.abort(new InterruptedError(signal));
        const timer = setTimeout(() => {
          options.onInterrupt?.(`cleanup did not finish within ${formatMs(options.timeoutMs ?? 30_000)}; the next run's sweep removes what is left after its expiry`);
          leave(exitCodes[signal]);
        }, options.timeoutMs ?? 30_000);
        void this.runAll().then(() => {
          clearTimeout(timer);
          leave(exitCodes[signal]);
        });
      };
      source.on(signal, fn);
      this.handlers.push({ signal, fn });
    }
    this.source = source;
  }

  private uninstall(): void {
    for (const h of this.handlers) this.source?.off(h.signal, h.fn);
    this.handlers.length = 0;
  }
}

export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  readonly signalName: string;
  constructor(signalName: string) {
    super(`interrupted by ${signalName}: cleaning up`);
    this.signalName = signalName;
  }
}
