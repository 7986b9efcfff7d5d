// One SIGINT and one SIGTERM listener for the whole process, however many live runs are open: a 40-node fleet
// with --live used to stack 40 listeners per signal (Node warns past 10), each racing to exit. The first signal
// interrupts every run at once, cleans them all up concurrently under one deadline, and exits once.

/** The part of `process` the hub listens on, so tests can send signals without killing the test runner. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** One open run: how to interrupt it, how to clean it up, and how it wants to be told and to exit. */
export interface HubMember {
  /** Aborts the run's waits (called once, before cleanup). */
  interrupt(signal: InterruptSignal): void;
  /** Removes everything the run created; never rejects. */
  cleanup(): Promise<unknown>;
  readonly exit: (code: number) => void;
  readonly onInterrupt?: (message: string) => void;
  /** How long this run's cleanup may take; the hub's one deadline is the longest of its members'. */
  readonly timeoutMs: number;
}

export const exitCodes: Readonly<Record<InterruptSignal, number>> = { SIGINT: 130, SIGTERM: 143 };
export const formatMs = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`);

export class SignalHub {
  private readonly source: SignalSource;
  private readonly members = new Set<HubMember>();
  private readonly listeners: Readonly<Record<InterruptSignal, () => void>>;
  private installed = false;
  private signals = 0;
  private exited = false;

  constructor(source: SignalSource) {
    this.source = source;
    this.listeners = { SIGINT: () => this.onSignal('SIGINT'), SIGTERM: () => this.onSignal('SIGTERM') };
  }

  /** Adds a run; returns how it leaves (when its cleanup is done). Joining after an interrupt interrupts it at once. */
  join(member: HubMember): () => void {
    this.members.add(member);
    if (this.signals > 0) {
      // The process is on its way out: a run opened now must not start anything.
      member.interrupt('SIGINT');
      void member.cleanup();
    }
    if (!this.installed) {
      this.installed = true;
      for (const s of ['SIGINT', 'SIGTERM'] as const) this.source.on(s, this.listeners[s]);
    }
    return () => this.leave(member);
  }

  /** How many runs are open (for tests and the message). */
  get size(): number {
    return this.members.size;
  }

  private leave(member: HubMember): void {
    this.members.delete(member);
    // While interrupted the listeners stay: a second signal must not fall through to Node's default (exit at once).
    if (this.members.size === 0 && this.signals === 0) this.uninstall();
  }

  private onSignal(signal: InterruptSignal): void {
    this.signals++;
    const members = [...this.members];
    const first = members[0];
    const say = (m: string): void => first?.onInterrupt?.(m);
    if (this.signals === 2) say(`cleaning up the run namespace${members.length > 1 ? 's' : ''}; interrupt again to leave ${members.length > 1 ? 'them' : 'it'} for the next run's sweep`);
    if (this.signals >= 3) return this.exitOnce(first, exitCodes[signal]);
    if (this.signals > 1) return;
    if (!first) return this.exitOnce(undefined, exitCodes[signal]);
    say(members.length > 1 ? `${signal}: cleaning up ${members.length} runs` : `${signal}: cleaning up`);
    for (const m of members) m.interrupt(signal);
    const deadline = Math.max(...members.map((m) => m.timeoutMs));
    const timer = setTimeout(() => {
      say(`cleanup did not finish within ${formatMs(deadline)}; the next run's sweep removes what is left after its expiry`);
      this.exitOnce(first, exitCodes[signal]);
    }, deadline);
    // Every run's cleanup at once: one slow API server must not hold the others' deletes back.
    void Promise.allSettled(members.map((m) => m.cleanup())).then(() => {
      clearTimeout(timer);
      this.exitOnce(first, exitCodes[signal]);
    });
  }

  private exitOnce(member: HubMember | undefined, code: number): void {
    if (this.exited) return;
    this.exited = true;
    (member?.exit ?? ((c: number) => process.exit(c)))(code);
    // Only reached when `exit` returned (a test's stand-in): nothing is left to listen for.
    this.uninstall();
  }

  private uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    for (const s of ['SIGINT', 'SIGTERM'] as const) this.source.off(s, this.listeners[s]);
  }
}

const hubs = new WeakMap<SignalSource, SignalHub>();

/** The hub of a signal source: one per source, so `process` has exactly one. */
export function signalHub(source: SignalSource): SignalHub {
  let hub = hubs.get(source);
  if (!hub) hubs.set(source, (hub = new SignalHub(source)));
  return hub;
}
