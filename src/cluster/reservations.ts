// The kubelet's effective reservations, hard eviction thresholds and pod cap, with /configz as the top layer:
// from the node's facts (configz over command line over files over defaults), or from /configz alone when the
// node itself was not observed.
import type { NodeFacts } from '../facts/types.ts';
import { effectiveConfig, type EffectiveConfig } from '../kubelet/effective.ts';
import type { Parsed } from './quantity-math.ts';
import type { ClusterFacts } from './types.ts';

export interface Reservations {
  readonly systemReserved: Readonly<Record<string, string>>;
  readonly kubeReserved: Readonly<Record<string, string>>;
  readonly evictionHard: Readonly<Record<string, string>>;
  readonly maxPods: number;
  /** Where each came from: "configz", "file:/var/lib/kubelet/config.yaml", "default". */
  readonly source: string;
  /** Why /configz did not take part, when a cluster was configured but the read failed. */
  readonly configzNote?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};

/** The kubeletconfig object inside a /configz answer. */
export function configzObject(cluster: ClusterFacts | undefined): Record<string, unknown> | undefined {
  if (!cluster?.configz.ok) return undefined;
  const inner = cluster.configz.value['kubeletconfig'];
  return isRecord(inner) ? inner : undefined;
}

const effectiveCache = new WeakMap<NodeFacts, WeakMap<object, EffectiveConfig>>();
const noConfigz = {};

/** The effective configuration with /configz on top when the cluster read it; cached per (facts, configz). */
export function effectiveWithConfigz(node: NodeFacts, cluster: ClusterFacts | undefined): EffectiveConfig {
  const cz = cluster?.configz.ok ? cluster.configz.value : undefined;
  const key = cz ?? noConfigz;
  let byCz = effectiveCache.get(node);
  if (!byCz) effectiveCache.set(node, (byCz = new WeakMap()));
  const hit = byCz.get(key);
  if (hit) return hit;
  const eff = effectiveConfig(node, cz ? { configz: cz } : {});
  byCz.set(key, eff);
  return eff;
}

export function kubeletReservations(node: NodeFacts | undefined, cluster: ClusterFacts | undefined): Parsed<Reservations> {
  const configzNote = cluster && !cluster.configz.ok ? `/configz not read (${cluster.configz.failure.message})` : undefined;
  const note = configzNote ? { configzNote } : {};
  if (node) {
    const eff = effectiveWithConfigz(node, cluster);
    if (eff.blocking.length > 0) return { ok: false, error: `the kubelet's configuration cannot be trusted: ${eff.blocking.join('; ')}` };
    const map = (field: string): Record<string, string> => {
      const v = eff.setting(field).value;
      return v?.type === 'map' ? { ...v.value } : {};
    };
    const errors = ['systemReserved', 'kubeReserved', 'evictionHard', 'maxPods'].flatMap((f) => {
      const e = eff.setting(f).error;
      return e ? [`${f}: ${e}`] : [];
    });
    if (errors.length) return { ok: false, error: `the kubelet refuses its own settings: ${errors.join('; ')}` };
    const pods = eff.setting('maxPods').value;
    const labels = [...new Set(['systemReserved', 'kubeReserved', 'evictionHard', 'maxPods'].map((f) => eff.setting(f).winner.label))];
    return {
      ok: true,
      value: { systemReserved: map('systemReserved'), kubeReserved: map('kubeReserved'), evictionHard: map('evictionHard'), maxPods: pods?.type === 'int' ? pods.value : 110, source: labels.join(' + '), ...note },
    };
  }
  const cz = configzObject(cluster);
  if (!cz) return { ok: false, error: configzNote ?? 'neither the node nor /configz was read: the kubelet\'s reservations are unknown' };
  // /configz is the kubelet's defaulted struct: an omitted map is empty, maxPods is always there.
  const maxPods = typeof cz['maxPods'] === 'number' ? cz['maxPods'] : undefined;
  if (maxPods === undefined) return { ok: false, error: '/configz has no maxPods: not a kubelet configuration' };
  return { ok: true, value: { systemReserved: stringMap(cz['systemReserved']), kubeReserved: stringMap(cz['kubeReserved']), evictionHard: stringMap(cz['evictionHard']), maxPods, source: 'configz' } };
}
