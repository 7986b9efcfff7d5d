// What each compliance test attaches to its Vitest task, so reporters never re-evaluate anything.
import type { Area, Level, ThreatKey } from '../catalog/index.ts';
import type { VerdictStatus } from '../evaluate/verdict.ts';

export interface CheckMeta {
  readonly id: string;
  readonly title: string;
  readonly area: Area;
  readonly threat: ThreatKey;
  readonly level: Level;
  readonly cis: string;
  readonly remediation: string;
  readonly node: string;
  readonly status: VerdictStatus;
  readonly expected: string;
  readonly actual: string;
  readonly source: string;
  readonly message: string;
  /** The node could not be reached or probed at all (drives exit code 3). */
  readonly unobservable: boolean;
}

declare module 'vitest' {
  interface TaskMeta {
    nodegate?: CheckMeta;
  }
}
