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

  // Here no required check failed or errored, so a required one that did not pass was skipped: out of this run's
  // reach (no cluster access, no --live). Exit 0 vouches only for what ran, and the sentence says so.
  const required = metas.filter((m) => m.level === 'required');
  const requiredSkipped = required.filter((m) => m.status === 'skip');
  const notes: string[] = [];
  if (advisoryBad.length > 0) notes.push(`${count(advisoryBad.length, 'advisory check')} not passing`);
  if (skipped.length > 0) notes.push(`${count(skipped.length, 'check')} skipped`);
  const tail = notes.length > 0 ? `; ${notes.join(', ')} (gated only with --strict)` : '';
  if (opts.strict) return { exitCode: ExitCode.compliant, reason: `all ${count(metas.length, 'check')} passed` };
  if (requiredSkipped.length === 0) return { exitCode: ExitCode.compliant, reason: `all ${count(required.length, 'required check')} passed${tail}` };
  const ran = required.length - requiredSkipped.length;
  return {
    exitCode: ExitCode.compliant,
    reason: `all ${count(ran, 'required check')} that ran passed; ${requiredSkipped.length} required not proven, skipped (${skipCauses(requiredSkipped)})${tail}`,
  };
}

/** Skips counted by cause: a skip message's opening clause, up to its first colon ("live check", ...). */
function skipCauses(skips: readonly CheckMeta[]): string {
  const byCause = new Map<string, number>();
  for (const m of skips) {
    const cause = m.message.split(':')[0]?.trim() || 'no reason given';
    byCause.set(cause, (byCause.get(cause) ?? 0) + 1);
  }
  return [...byCause].map(([cause, n]) => `${n} ${cause}`).join(', ');
}
