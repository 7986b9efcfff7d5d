// The seam for --fix: fixers keyed by check ID, each planning a readable change before applying it as a transaction.
import type { NodeFacts } from '../facts/types.ts';
import type { Profile } from '../profile/schema.ts';
import type { Target } from '../target/types.ts';

/** One file edit a person can review: the whole new content, with its diff rendered at plan time. */
export interface FileChange {
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface FixPlan {
  readonly checkId: string;
  readonly summary: string;
  readonly files: readonly FileChange[];
  /** Commands run after the files are written, e.g. `sysctl --system`, quoted argv. */
  readonly commands: readonly (readonly string[])[];
  /** systemd units restarted once per run after all edits. */
  readonly restarts: readonly string[];
}

export interface Fixer {
  readonly checkId: string;
  /** Pure: from the failing node's facts to the change that makes the check pass; undefined when nothing to do. */
  plan(facts: NodeFacts, profile: Profile): FixPlan | undefined;
}

/** Applies plans as one transaction per node: back up, write atomically, restart, re-verify, roll back. */
export interface FixApplier {
  apply(target: Target, plans: readonly FixPlan[]): Promise<void>;
}

/** Empty until the --fix issue lands: `auto` checks in the catalog name what will be registered here. */
export const fixers: ReadonlyMap<string, Fixer> = new Map();
