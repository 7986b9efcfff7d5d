// What every compliance test file receives through Vitest's provide/inject, and how it gets each node's facts.
import { readFile } from 'node:fs/promises';
import type { Profile } from '../profile/schema.ts';
import type { Observation } from './observe.ts';

/**
 * Observations arrive one of two ways: provided whole (plain `vitest`, whose global setup observed the nodes), or
 * through a handoff file the CLI writes once its nodes are observed — so Vitest's workers start and load the
 * suites while the nodes are still being probed, instead of after.
 */
export type Observations =
  | { readonly kind: 'provided'; readonly observations: readonly Observation[] }
  | { readonly kind: 'handoff'; readonly file: string; readonly nodes: readonly string[]; readonly timeoutMs: number };

export interface RunContext {
  readonly profile: Profile;
  readonly observations: Observations;
  readonly only: readonly string[];
  readonly skip: readonly string[];
}

/** What the CLI writes to the handoff file: the observations, or why there are none. */
export type Handoff = { readonly observations: readonly Observation[] } | { readonly error: string };

declare module 'vitest' {
  interface ProvidedContext {
    nodegate: RunContext;
  }
}

export function nodeNames(o: Observations): readonly string[] {
  return o.kind === 'provided' ? o.observations.map((x) => x.node) : o.nodes;
}

let arrived: Promise<readonly Observation[]> | undefined;

/** Waits (bounded) for the handoff file; read once per worker and shared by every test. */
async function awaitHandoff(file: string, timeoutMs: number): Promise<readonly Observation[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const handoff = JSON.parse(await readFile(file, 'utf8')) as Handoff;
      if ('error' in handoff) throw new Error(`observing the nodes failed: ${handoff.error}`);
      return handoff.observations;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause;
    }
    if (performance.now() > deadline) throw new Error(`no observations after ${Math.round(timeoutMs / 1000)} s (${file})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function observationOf(o: Observations, node: string): Promise<Observation> {
  const all = o.kind === 'provided' ? o.observations : await (arrived ??= awaitHandoff(o.file, o.timeoutMs));
  const found = all.find((x) => x.node === node);
  if (!found) throw new Error(`no observation of node ${node}`);
  return found;
}
