// The binding of catalog IDs to evaluators that a suite file writes, one line per check — `check(id, evaluator)`
// for the node's facts, `clusterCheck(id, evaluator)` for the Kubernetes API's, `liveCheck(id)` for a check that
// runs workloads, `pendingCheck(id, reason)` for one not built yet — validated against the catalog row the file
// stands for so a check can never be bound twice, lost or misplaced.
import { checksFor, findCheck, type Area, type CheckDeclaration, type ThreatKey } from '../catalog/index.ts';
import type { ClusterEvaluator } from '../evaluate/cluster/index.ts';
import type { Evaluator } from '../evaluate/evaluator.ts';

/** How a check reaches its verdict. */
export type CheckKind =
  | { readonly kind: 'node'; readonly evaluate: Evaluator }
  | { readonly kind: 'cluster'; readonly evaluate: ClusterEvaluator }
  /** Runs workloads on the node through the cluster: only with --live. */
  | { readonly kind: 'live' }
  /** Declared in the catalog, not built in this release: a skip naming what it needs. */
  | { readonly kind: 'pending'; readonly reason: string };

/** One line of a suite file: a catalog ID and how it is judged. */
export type Binding = { readonly id: string } & CheckKind;

/** A check as the suite runs it: the catalog's declaration (title, level, remediation) and how it is judged. */
export interface BoundCheck {
  readonly check: CheckDeclaration;
  readonly judge: CheckKind;
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

export const check = (id: string, evaluate: Evaluator): Binding => ({ id, kind: 'node', evaluate });
export const clusterCheck = (id: string, evaluate: ClusterEvaluator): Binding => ({ id, kind: 'cluster', evaluate });
export const liveCheck = (id: string): Binding => ({ id, kind: 'live' });
export const pendingCheck = (id: string, reason: string): Binding => ({ id, kind: 'pending', reason });

/**
 * Joins a row's bindings to its catalog declarations, in catalog order (the order reports list them). Every ID of
 * the row must be bound exactly once and nothing else may be: a missing binding would drop a check from the gate
 * without a trace, and an ID of another row would be reported under the wrong threat.
 */
export function bindRow(area: Area, threat: ThreatKey, bindings: readonly Binding[]): BoundCheck[] {
  const problems: string[] = [];
  const byId = new Map<string, CheckKind>();
  for (const b of bindings) {
    const declared = findCheck(b.id);
    if (byId.has(b.id)) problems.push(`${b.id} is bound twice`);
    else if (!declared) problems.push(`${b.id} is not a catalog ID`);
    else if (declared.area !== area || declared.threat !== threat) {
      problems.push(`${b.id} belongs in suites/${declared.area}/${declared.threat}.test.ts`);
    }
    byId.set(b.id, b);
  }
  const row = checksFor(area, threat);
  for (const c of row) if (!byId.has(c.id)) problems.push(`${c.id} is not bound`);
  if (problems.length > 0) throw new BindingError(area, threat, problems);
  return row.flatMap((c) => {
    const judge = byId.get(c.id);
    return judge ? [{ check: c, judge }] : [];
  });
}
