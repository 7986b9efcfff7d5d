// Everything a live run creates is registered here before it is created, and removed in reverse order at the
// end of the run, on SIGINT and on SIGTERM; an interrupt also aborts the waits in flight. The signal listeners are
// the process's one SignalHub (signal-hub.ts): every open run joins it, so a fleet has one listener per signal.
import { signalHub, type SignalSource } from './signal-hub.ts';

export type { SignalSource } from './signal-hub.ts';

export interface CleanupResult {
  readonly name: string;
  readonly ok: boolean;
  readonly message?: string;
}

export class CleanupRegistry {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private readonly controller = new AbortController();
  private running: Promise<CleanupResult[]> | undefined;
  private leaveHub: (() => void) | undefined;
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
   * The listeners are the source's one SignalHub, shared by every open run: the first signal cleans up all of
   * them concurrently and exits once. A second signal while cleaning up is ignored (cutting the cleanup short is
   * what leaves namespaces behind); a third exits at once, and so does a cleanup that outlasts the longest
   * `timeoutMs` of the open runs (an API server that stopped answering): the namespace's expiry then lets the next
   * run's sweep remove it. The run leaves the hub when its cleanup is done.
   */
  installSignalHandlers(source: SignalSource, exit: (code: number) => void, options: { onInterrupt?: (message: string) => void; timeoutMs?: number } = {}): void {
    if (this.leaveHub) throw new Error('signal handlers are already installed for this run');
    this.leaveHub = signalHub(source).join({
      interrupt: (signal) => this.controller.abort(new InterruptedError(signal)),
      cleanup: () => this.runAll(),
      exit,
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.onInterrupt ? { onInterrupt: options.onInterrupt } : {}),
    });
  }

  private uninstall(): void {
    this.leaveHub?.();
    this.leaveHub = undefined;
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
