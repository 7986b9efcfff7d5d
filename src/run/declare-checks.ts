// Registers one Vitest test per selected check and node of a threat row; the body only evaluates and asserts.
import { describe, inject, test, type TestContext } from 'vitest';
import type { Area, ThreatKey } from '../catalog/index.ts';
import type { Verdict } from '../evaluate/verdict.ts';
import { bindRow, type Binding } from './bind-checks.ts';
import { nodeNames, observationOf } from './context.ts';
import type { CheckMeta } from './meta.ts';
import { isSelected } from './selection.ts';
import { verdictFor } from './verdict-for.ts';

export { check, clusterCheck, liveCheck, pendingCheck } from './bind-checks.ts';

/**
 * A verdict as a thrown error, with no stack frames: the frames would all point here, and Vitest reads source
 * files and source maps for every frame of every failure — seconds on a fleet with hundreds of failing checks.
 */
class VerdictError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}
/** A check that found the node out of its documented state. */
export class ComplianceFailure extends VerdictError {
  constructor(message: string) {
    super('ComplianceFailure', message);
  }
}
/** A check that could not observe what it needs: never a pass. */
export class ObservationError extends VerdictError {
  constructor(message: string) {
    super('ObservationError', message);
  }
}

function assertVerdict(verdict: Verdict, ctx: TestContext): void {
  if (verdict.status === 'skip') ctx.skip(verdict.message);
  if (verdict.status === 'fail') throw new ComplianceFailure(verdict.message);
  if (verdict.status === 'error') throw new ObservationError(verdict.message);
}

/**
 * A suite file's one call: its area, its threat row and one `check(id, evaluator)` per catalog check of that row.
 * The bindings are validated before anything is selected, so a wrong file fails to load even under --only.
 */
export function declareChecks(area: Area, threat: ThreatKey, bindings: readonly Binding[]): void {
  const bound = bindRow(area, threat, bindings);
  const context = inject('nodegate');
  const selected = bound.filter(({ check: c }) => isSelected(context, c.id));
  const nodes = nodeNames(context.observations);
  if (selected.length === 0 || nodes.length === 0) {
    test.skip(`no selected ${area} checks in the ${threat} row`, () => {});
    return;
  }
  for (const node of nodes) {
    describe(node, () => {
      for (const b of selected) {
        const { check } = b;
        test(`${check.id} ${check.title}`, async (ctx) => {
          const observation = await observationOf(context.observations, node);
          const verdict = verdictFor(check.id, b.judge, observation, context.profile);
          const meta: CheckMeta = {
            id: check.id,
            title: check.title,
            area: check.area,
            threat: check.threat,
            level: check.level,
            cis: check.cis,
            remediation: check.remediation,
            node,
            unobservable: !('facts' in observation),
            ...verdict,
          };
          ctx.task.meta.nodegate = meta;
          assertVerdict(verdict, ctx);
        });
      }
    });
  }
}
