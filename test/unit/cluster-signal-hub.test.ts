// Signal handling is process-wide: however many live runs (nodes of a fleet, the cluster harness and the node-local
// run) are open, the process has one SIGINT and one SIGTERM listener; the first signal aborts and cleans up every
// open run concurrently under one deadline and exits once with 130/143.
import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { CleanupRegistry, InterruptedError } from '../../src/cluster/live/cleanup.ts';
import { signalHub } from '../../src/cluster/live/signal-hub.ts';

/** A fake signal source and an exit that records its codes instead of ending the test runner. */
function fakeProcess(): { source: EventEmitter; exits: number[]; exit: (code: number) => void; exited: Promise<number>; said: string[]; log: (m: string) => void } {
  const source = new EventEmitter();
  // Node's own warning threshold: more than 10 listeners per event prints MaxListenersExceededWarning.
  source.setMaxListeners(10);
  const exits: number[] = [];
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const said: string[] = [];
  return {
    source,
    exits,
    exit: (code) => {
      exits.push(code);
      resolveExit(code);
    },
    exited,
    said,
    log: (m) => void said.push(m),
  };
}

/** A promise with its resolver, to hold a cleanup step open. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('one listener per signal for the process', () => {
  test('40 open runs (a 40-node fleet) add one SIGINT and one SIGTERM listener, not 40', () => {
    const p = fakeProcess();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 40; i++) new CleanupRegistry().installSignalHandlers(p.source, p.exit, { onInterrupt: p.log });
      expect(p.source.listenerCount('SIGINT')).toBe(1);
      expect(p.source.listenerCount('SIGTERM')).toBe(1);
      expect(signalHub(p.source).size).toBe(40);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  test('the listeners go when the last run has cleaned up (Node\'s default handling returns)', async () => {
    const p = fakeProcess();
    const a = new CleanupRegistry();
    const b = new CleanupRegistry();
    a.installSignalHandlers(p.source, p.exit);
    b.installSignalHandlers(p.source, p.exit);
    await a.runAll();
    expect(p.source.listenerCount('SIGINT')).toBe(1);
    await b.runAll();
    expect(p.source.listenerCount('SIGINT')).toBe(0);
    expect(p.source.listenerCount('SIGTERM')).toBe(0);
  });

  test('a run cannot join twice', () => {
    const p = fakeProcess();
    const r = new CleanupRegistry();
    r.installSignalHandlers(p.source, p.exit);
    expect(() => r.installSignalHandlers(p.source, p.exit)).toThrow('signal handlers are already installed for this run');
  });
});

describe('the first signal cleans up every open run, concurrently, and exits once', () => {
  test('SIGINT: every run is aborted, every cleanup starts before any finishes, one exit with 130', async () => {
    const p = fakeProcess();
    const started: string[] = [];
    const holds = ['node-a', 'node-b', 'node-c'].map((node) => ({ node, hold: deferred(), registry: new CleanupRegistry() }));
    for (const { node, hold, registry } of holds) {
      registry.add(`namespace of ${node}`, async () => {
        started.push(node);
        await hold.promise;
      });
      registry.installSignalHandlers(p.source, p.exit, { onInterrupt: p.log });
    }
    p.source.emit('SIGINT');
    // Concurrent: all three deletes are in flight while none has finished.
    await new Promise((r) => setTimeout(r, 10));
    expect(started.sort()).toEqual(['node-a', 'node-b', 'node-c']);
    for (const { registry } of holds) {
      expect(registry.signal.aborted).toBe(true);
      expect(registry.signal.reason).toBeInstanceOf(InterruptedError);
    }
    expect(p.exits).toEqual([]);
    holds[0]?.hold.resolve();
    holds[1]?.hold.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(p.exits).toEqual([]);
    holds[2]?.hold.resolve();
    expect(await p.exited).toBe(130);
    await new Promise((r) => setTimeout(r, 10));
    expect(p.exits).toEqual([130]);
    expect(p.said).toEqual(['SIGINT: cleaning up 3 runs']);
  });

  test('SIGTERM exits 143', async () => {
    const p = fakeProcess();
    for (let i = 0; i < 2; i++) new CleanupRegistry().installSignalHandlers(p.source, p.exit);
    p.source.emit('SIGTERM');
    expect(await p.exited).toBe(143);
  });

  test('one deadline for all: the longest timeout of the open runs, then one exit, even with a hung cleanup', async () => {
    const p = fakeProcess();
    const quick = new CleanupRegistry();
    quick.add('done', async () => undefined);
    quick.installSignalHandlers(p.source, p.exit, { timeoutMs: 20, onInterrupt: p.log });
    const hung = new CleanupRegistry();
    hung.add('never', () => new Promise<void>(() => undefined));
    hung.installSignalHandlers(p.source, p.exit, { timeoutMs: 150, onInterrupt: p.log });
    const t0 = Date.now();
    p.source.emit('SIGINT');
    expect(await p.exited).toBe(130);
    // Not the quick run's 20 ms: the hung one was given its 150 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(p.exits).toEqual([130]);
    expect(p.said).toEqual(['SIGINT: cleaning up 2 runs', "cleanup did not finish within 150ms; the next run's sweep removes what is left after its expiry"]);
  });

  test('a second signal is ignored while cleaning up, a third exits at once, still only once', async () => {
    const p = fakeProcess();
    for (let i = 0; i < 3; i++) {
      const r = new CleanupRegistry();
      r.add('never', () => new Promise<void>(() => undefined));
      r.installSignalHandlers(p.source, p.exit, { timeoutMs: 60_000, onInterrupt: p.log });
    }
    p.source.emit('SIGINT');
    p.source.emit('SIGINT');
    expect(p.exits).toEqual([]);
    expect(p.said.at(-1)).toBe("cleaning up the run namespaces; interrupt again to leave them for the next run's sweep");
    p.source.emit('SIGINT');
    p.source.emit('SIGINT');
    expect(p.exits).toEqual([130]);
  });

  test('a run that finished before the signal is not cleaned up again; one opened after it is aborted before it creates anything', async () => {
    const p = fakeProcess();
    const finished = new CleanupRegistry();
    let finishedRuns = 0;
    finished.add('ns', async () => void finishedRuns++);
    finished.installSignalHandlers(p.source, p.exit);
    await finished.runAll();
    const open = new CleanupRegistry();
    const hold = deferred();
    open.add('ns', () => hold.promise);
    open.installSignalHandlers(p.source, p.exit);
    p.source.emit('SIGINT');
    const late = new CleanupRegistry();
    late.installSignalHandlers(p.source, p.exit);
    expect(late.signal.aborted).toBe(true);
    hold.resolve();
    expect(await p.exited).toBe(130);
    expect(finishedRuns).toBe(1);
  });
});
