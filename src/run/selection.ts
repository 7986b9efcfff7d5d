// The one rule for which checks a run reports (--only/--skip): the suites' tests and the live runs both ask it.

/** A run's --only/--skip, already expanded from prefixes to catalog IDs (settings.ts); RunSettings and the suites' RunContext both carry it. */
export interface Selection {
  /** Empty: every check. */
  readonly only: readonly string[];
  readonly skip: readonly string[];
}

/** Every check runs: no --only, no --skip. */
export const everything: Selection = { only: [], skip: [] };

/** Whether the run reports `id`: in --only (or no --only given) and not in --skip, so --skip wins over --only. */
export const isSelected = (selection: Selection, id: string): boolean => (selection.only.length === 0 || selection.only.includes(id)) && !selection.skip.includes(id);
