// Reads the verdicts that compliance tests attached to Vitest tasks, reconciling them with how each test ended.
import type { TestCase, TestModule } from 'vitest/node';
import type { CheckMeta } from '../src/run/meta.ts';

export interface CollectedRun {
  /** One entry per compliance test that recorded a verdict, in run order. */
  readonly metas: CheckMeta[];
  /** Test durations keyed by {@link checkKey}. */
  readonly durationsMs: Map<string, number>;
  /**
   * Things that mean some checks never reported: suite files that failed to load, tests that failed
   * without recording a verdict, tests that never finished.
   */
  readonly problems: string[];
}

/** The identity of one check on one node: what durations and de-duplication key on. */
export function checkKey(meta: Pick<CheckMeta, 'node' | 'id'>): string {
  return `${meta.node} ${meta.id}`;
}

function firstError(test: TestCase): string {
  const result = test.result();
  const err = result.errors?.[0];
  return err?.message ?? 'unknown error';
}

/**
 * The recorded verdict, made to agree with Vitest's own result. A verdict is never made better than either
 * source says: a test that threw after recording "pass" is an error, not a pass (fail closed).
 */
function reconcile(meta: CheckMeta, test: TestCase): CheckMeta {
  const result = test.result();
  switch (result.state) {
    case 'passed':
      return meta;
    case 'failed':
      if (meta.status === 'fail' || meta.status === 'error') return meta;
      return {
        ...meta,
        status: 'error',
        message: `the test failed after recording a "${meta.status}" verdict: ${firstError(test)}`,
      };
    case 'skipped':
      if (meta.status === 'fail' || meta.status === 'error') return meta;
      return { ...meta, status: 'skip', message: meta.message || result.note || 'skipped' };
    case 'pending':
      return { ...meta, status: 'error', message: 'the test did not finish (run interrupted or timed out)' };
  }
}

export function collectRun(modules: ReadonlyArray<TestModule>): CollectedRun {
  const metas: CheckMeta[] = [];
  const durationsMs = new Map<string, number>();
  const problems: string[] = [];

  for (const mod of modules) {
    for (const err of mod.errors()) {
      problems.push(`${mod.relativeModuleId}: ${err.message}`);
    }
    for (const test of mod.children.allTests()) {
      const meta = test.meta().nodegate;
      if (meta === undefined) {
        const state = test.result().state;
        if (state === 'failed') problems.push(`${test.fullName}: failed before recording a verdict: ${firstError(test)}`);
        // Still pending when the run ended: its worker died under it (killed, out of memory) or the run stopped.
        if (state === 'pending') problems.push(`${test.fullName}: never finished (its worker crashed or the run stopped)`);
        continue;
      }
      metas.push(reconcile(meta, test));
      const duration = test.diagnostic()?.duration;
      if (duration !== undefined) durationsMs.set(checkKey(meta), duration);
    }
  }
  return { metas, durationsMs, problems };
}

/** Just the verdicts, in run order; tests without one are ignored. */
export function collectMetas(modules: ReadonlyArray<TestModule>): CheckMeta[] {
  return collectRun(modules).metas;
}
