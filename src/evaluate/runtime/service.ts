// RT-2.1.1: containerd's unit is running now and will start at boot; a failure carries the journal's last lines.
import type { NodeFacts } from '../../facts/types.ts';
import { cmd } from '../../facts/requirements.ts';
import { evaluateUnitState } from '../unit-state.ts';
import type { Verdict } from '../verdict.ts';

export function evaluateService(facts: NodeFacts): Verdict {
  return evaluateUnitState(facts, {
    unit: 'containerd',
    active: cmd.containerdActive,
    enabled: cmd.containerdEnabled,
    journal: cmd.containerdJournal,
    state: cmd.containerdState,
  });
}
