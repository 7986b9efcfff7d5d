// The whole catalog in scope, indexed by ID, with the lookups every layer shares: the node areas, the cluster
// rows (src/catalog/{cluster,network,resources}.ts) and the live rows (src/catalog/live.ts).
import { clusterChecks } from './cluster.ts';
import { hostChecks } from './host.ts';
import { kubeletChecks, kubeletRuntimeChecks } from './kubelet.ts';
import { networkChecks } from './network.ts';
import { resourcesChecks } from './resources.ts';
import { runtimeChecks } from './runtime.ts';
import { securityChecks } from './security.ts';
import { liveChecks } from './live.ts';
import { areas, type Area, type CheckDeclaration, type ThreatKey } from './types.ts';

export const catalog: readonly CheckDeclaration[] = [
  ...hostChecks,
  ...runtimeChecks,
  ...kubeletRuntimeChecks,
  ...kubeletChecks,
  ...securityChecks,
  ...clusterChecks,
  ...networkChecks,
  ...resourcesChecks,
  ...liveChecks,
];

/** IDs answered by the live harness (or a runner request) rather than by gathered facts. */
export const liveIds: ReadonlySet<string> = new Set(liveChecks.map((c) => c.id));

const byId = new Map(catalog.map((c) => [c.id, c]));

export function findCheck(id: string): CheckDeclaration | undefined {
  return byId.get(id);
}

export function checksFor(area: Area, threat?: ThreatKey): CheckDeclaration[] {
  return catalog.filter((c) => c.area === area && (threat === undefined || c.threat === threat));
}

export function isArea(v: string): v is Area {
  return (areas as readonly string[]).includes(v);
}

export type { Area, CheckDeclaration, Level, ThreatKey, FixKind } from './types.ts';
export { areas, threatKeys } from './types.ts';
export { threatTitles } from './threats.ts';
