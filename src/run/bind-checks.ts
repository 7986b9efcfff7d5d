// The binding of catalog IDs to evaluators that a suite file writes, one `check(id, evaluator)` line per check,
// validated against the catalog row the file stands for so a check can never be bound twice, lost or misplaced.
import { checksFor, findCheck, type Area, type CheckDeclaration, type ThreatKey } from '../catalog/index.ts';
import type { Evaluator } from '../evaluate/evaluator.ts';

/** One line of a suite file: a catalog ID and the evaluator that judges it. */
export interface Binding {
  readonly id: string;
  readonly evaluate: Evaluator;
}

/** A check as the suite runs it: the catalog's declaration (title, level, remediation) and its evaluator. */
export interface BoundCheck {
  readonly check: CheckDeclaration;
  readonly evaluate: Evaluator;
}

/** A suite file whose bindings disagree with the catalog row it stands for; thrown while the file loads. */
export class BindingError extends Error {
  override readonly name = 'BindingError';
  readonly problems: readonly string[];
  constructor(area: Area, threat: ThreatKey, problems: readonly string[]) {
    super(`suites/${area}/${threat}.test.ts does not match the catalog: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

export const check = (id: string, evaluate: Evaluator): Binding => ({ id, evaluate });

/**
 * Joins a row's bindings to its catalog declarations, in catalog order (the order reports list them). Every ID of
 * the row must be bound exactly once and nothing else may be: a missing binding would drop a check from the gate
 * without a trace, and an ID of another row would be reported under the wrong threat.
 */
export function bindRow(area: Area, threat: ThreatKey, bindings: readonly Binding[]): BoundCheck[] {
  const problems: string[] = [];
  const byId = new Map<string, Evaluator>();
  for (const b of bindings) {
    const declared = findCheck(b.id);
    if (byId.has(b.id)) problems.push(`${b.id} is bound twice`);
    else if (!declared) problems.push(`${b.id} is not a catalog ID`);
    else if (declared.area !== area || declared.threat !== threat) {
      problems.push(`${b.id} belongs in suites/${declared.area}/${declared.threat}.test.ts`);
    }
    byId.set(b.id, b.evaluate);
  }
  const row = checksFor(area, threat);
  for (const c of row) if (!byId.has(c.id)) problems.push(`${c.id} is not bound`);
  if (problems.length > 0) throw new BindingError(area, threat, problems);
  return row.flatMap((c) => {
    const evaluate = byId.get(c.id);
    return evaluate ? [{ check: c, evaluate }] : [];
  });
}
