// A fleet is observed at most N nodes at once (default 32): a fake transport counts the execs in flight.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildProfile } from '../../src/profile/load.ts';
import { mapLimited } from '../../src/run/limit.ts';
import { observeNodes, type OpenTarget } from '../../src/run/observe.ts';
import { resolveSettings, type Flags } from '../../src/run/settings.ts';
import type { Target } from '../../src/target/types.ts';

/** Targets whose one exec takes a while and prints nothing, so the probe fails (a named observation failure). */
function countingTransport(execMs: number) {
  const stats = { inFlight: 0, peak: 0, execs: 0 };
  const open: OpenTarget = async (spec) => {
    const target: Target = {
      label: spec.kind,
      roundTrips: 0,
      async exec() {
        stats.execs += 1;
        stats.inFlight += 1;
        stats.peak = Math.max(stats.peak, stats.inFlight);
        await new Promise((resolve) => setTimeout(resolve, execMs));
        stats.inFlight -= 1;
        return { stdout: '', stderr: '', exitCode: 0 };
      },
      async close() {},
    };
    return target;
  };
  return { stats, open };
}

// `local` targets: the runner's own read-only-port probe then only ever dials loopback.
async function fleet(n: number, flags: Flags = {}) {
  const cwd = await mkdtemp(join(tmpdir(), 'ng-fleet-'));
  const names = Array.from({ length: n }, (_, i) => `node-${String(i).padStart(2, '0')}`);
  return resolveSettings({ target: names.map(() => 'local'), node: names, ...flags }, {}, cwd);
}

describe('fleet concurrency', () => {
  const profile = buildProfile([]);

  test('--concurrency 5 over 40 nodes: never more than 5 probes at once, every node observed, in order', async () => {
    const settings = await fleet(40, { concurrency: '5' });
    const { stats, open } = countingTransport(20);
    const observations = await observeNodes(settings, profile, open);
    expect(stats.peak).toBe(5);
    expect(stats.execs).toBe(40);
    expect(observations.map((o) => o.node)).toEqual(settings.nodes.map((n) => n.name));
    // Empty probe output is a named failure of that node, never facts.
    expect(observations.every((o) => 'failure' in o && o.failure === 'probe-failed')).toBe(true);
  });

  test('the default is 32 at once', async () => {
    const settings = await fleet(40);
    expect(settings.concurrency).toBe(32);
    const { stats, open } = countingTransport(40);
    await observeNodes(settings, profile, open);
    expect(stats.peak).toBe(32);
  });

  test('mapLimited keeps results in input order, stops at the first rejection, refuses a limit below 1', async () => {
    const delays = [30, 5, 20, 1];
    expect(await mapLimited(delays, 2, async (ms, i) => new Promise<number>((r) => setTimeout(() => r(i), ms)))).toEqual([0, 1, 2, 3]);
    await expect(mapLimited([1, 2, 3], 2, async (x) => {
      if (x === 2) throw new Error('node 2 broke');
      return x;
    })).rejects.toThrow('node 2 broke');
    await expect(mapLimited([1], 0, async (x) => x)).rejects.toThrow(RangeError);
  });
});
