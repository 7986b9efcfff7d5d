// The whole catalog in scope, indexed by ID, with the lookups every layer shares.
import { hostChecks } from './host.ts';
import { kubeletChecks, kubeletRuntimeChecks } from './kubelet.ts';
import { runtimeChecks } from './runtime.ts';
import { securityChecks } from './security.ts';
import type { Area, CheckDeclaration, ThreatKey } from './types.ts';

export const catalog: readonly CheckDeclaration[] = [...hostChecks, ...runtimeChecks, ...kubeletRuntimeChecks, ...kubeletChecks, ...securityChecks];

const byId = new Map(catalog.map((c) => [c.id, c]));

export function findCheck(id: string): CheckDeclaration | undefined {
  return byId.get(id);
}

export function checksFor(area: Area, threat?: ThreatKey): CheckDeclaration[] {
  return catalog.filter((c) => c.area === area && (threat === undefined || c.threat === threat));
}

export type { Area, CheckDeclaration, Level, ThreatKey, FixKind } from './types.ts';
export { threatTitles } from './threats.ts';
