// The shape of a catalog entry: a check declared as data, the product's public interface.
export const threatKeys = [
  'container-escape',
  'kubelet-api',
  'resource-exhaustion',
  'network-traffic',
  'hostpath-escalation',
  'runtime-cve',
  'availability',
] as const;
export type ThreatKey = (typeof threatKeys)[number];

/** Every area with a suite directory: the four the node answers, and two only the cluster answers. */
export const areas = ['host', 'runtime', 'kubelet', 'security', 'network', 'resources'] as const;
export type Area = (typeof areas)[number];

export type Level = 'required' | 'advisory';
export type FixKind = 'auto' | 'manual';

export interface CheckDeclaration {
  /** Catalog ID, e.g. HOST-1.2.2. Never renamed, never reused. */
  readonly id: string;
  readonly title: string;
  readonly area: Area;
  readonly threat: ThreatKey;
  readonly level: Level;
  /** CIS Kubernetes Benchmark reference, empty when the catalog names none. */
  readonly cis: string;
  /** What a person does to make the check pass. */
  readonly remediation: string;
  readonly fix: FixKind;
}

/** Declares a check of one area; `cis` defaults to none. */
export const checkIn =
  (area: Area) =>
  (c: Omit<CheckDeclaration, 'area' | 'cis'> & { cis?: string }): CheckDeclaration => ({ area, cis: '', ...c });
