// The CI gate's decision: one exit code and one sentence, derived only from the recorded verdicts.
import { ExitCode } from '../errors.ts';
import type { CheckMeta } from './meta.ts';

export interface RunOutcome {
  readonly exitCode: ExitCode;
  readonly reason: string;
}

export interface OutcomeOptions {
  readonly strict: boolean;
  /**
   * Problems outside any verdict (a suite file that did not load, a test that crashed before recording its
   * verdict, an interrupted run, selected checks that never reported). Each one means the audit did not
   * complete, so compliance is not proven, and the fault is nodegate's: exit 4, never 0 and never 1.
   */
  readonly runErrors?: readonly string[];
}

const MAX_LISTED = 6;

/** Distinct IDs in first-seen order, shortened so a reason stays one readable line. */
function idList(metas: readonly CheckMeta[]): string {
  const ids = [...new Set(metas.map((m) => m.id))];
  const shown = ids.slice(0, MAX_LISTED).join(', ');
  return ids.length > MAX_LISTED ? `${shown} (+${ids.length - MAX_LISTED} more)` : shown;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function runOutcome(metas: readonly CheckMeta[], opts: OutcomeOptions): RunOutcome {
  const runErrors = opts.runErrors ?? [];
  const unobservable = metas.filter((m) => m.unobservable);
  const unobservedNodes = [...new Set(unobservable.map((m) => m.node))];
  const unobservedReason = `could not observe ${count(unobservedNodes.length, 'node')}: ${unobservedNodes.join(', ')}`;

  // Nothing audited is never a pass: with no verdict at all there is nothing to vouch for.
  if (metas.length === 0 && runErrors.length === 0) {
    return { exitCode: ExitCode.internal, reason: 'no check reported a verdict: nothing was audited' };
  }
  // An incomplete run first: the verdicts that did arrive are not the whole audit, whatever they say.
  if (runErrors.length > 0) {
    const shown = runErrors.slice(0, 3).join('; ');
    const more = runErrors.length > 3 ? ` (+${runErrors.length - 3} more)` : '';
    const also = unobservedNodes.length > 0 ? `; also ${unobservedReason}` : '';
    return {
      exitCode: ExitCode.internal,
      reason: `the audit did not complete, ${count(runErrors.length, 'run error')} (some selected checks never reported): ${shown}${more}${also}`,
    };
  }
  if (unobservable.length > 0) {
    return { exitCode: ExitCode.unobservable, reason: unobservedReason };
  }

  const bad = (m: CheckMeta) => m.status === 'fail' || m.status === 'error';
  const requiredFailed = metas.filter((m) => m.level === 'required' && m.status === 'fail');
  const requiredErrored = metas.filter((m) => m.level === 'required' && m.status === 'error');
  const advisoryBad = metas.filter((m) => m.level === 'advisory' && bad(m));
  const skipped = metas.filter((m) => m.status === 'skip');

  const blocking: string[] = [];
  if (requiredFailed.length > 0) {
    blocking.push(`${count(requiredFailed.length, 'required check')} failed: ${idList(requiredFailed)}`);
  }
  if (requiredErrored.length > 0) {
    blocking.push(
      `${count(requiredErrored.length, 'required check')} could not be evaluated (compliance not proven): ${idList(requiredErrored)}`,
    );
  }
  if (opts.strict) {
    if (advisoryBad.length > 0) {
      blocking.push(`strict: ${count(advisoryBad.length, 'advisory check')} not passing: ${idList(advisoryBad)}`);
    }
    if (skipped.length > 0) {
      blocking.push(`strict: ${count(skipped.length, 'check')} skipped: ${idList(skipped)}`);
    }
  }
  // Verdicts that are all skips prove nothing either: a gate that passed would vouch for an unaudited node.
  if (blocking.length === 0 && skipped.length === metas.length) {
    blocking.push(`every check was skipped (${count(metas.length, 'check')}), so nothing was proven: ${idList(metas)}`);
  }
  if (blocking.length > 0) {
    return { exitCode: ExitCode.nonCompliant, reason: blocking.join('; ') };
  }

  const required = metas.filter((m) => m.level === 'required').length;
  const notes: string[] = [];
  if (advisoryBad.length > 0) notes.push(`${count(advisoryBad.length, 'advisory check')} not passing`);
  if (skipped.length > 0) notes.push(`${count(skipped.length, 'check')} skipped`);
  const tail = notes.length > 0 ? `; ${notes.join(', ')} (gated only with --strict)` : '';
  const head = opts.strict ? `all ${count(metas.length, 'check')} passed` : `all ${count(required, 'required check')} passed`;
  return { exitCode: ExitCode.compliant, reason: `${head}${tail}` };
}
