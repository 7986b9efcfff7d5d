// /configz as the top layer of the kubelet's configuration: where the running kubelet (what /configz serves)
// disagrees with what its files and command line say, the kubelet was changed on disk and not restarted. Each
// drift becomes the sentence a verdict carries: "running 10255 from /configz, file says 0: …".
import type { NodeFacts } from '../facts/types.ts';
import { parseDuration } from '../kubelet/duration.ts';
import { effectiveConfig, type LayerValue } from '../kubelet/effective.ts';
import { fieldSpecs, formatTyped, type Typed } from '../kubelet/fields.ts';
import { parseThreshold, sameThreshold } from '../kubelet/quantity.ts';
import type { ClusterFacts } from './types.ts';

export interface ConfigzDrift {
  readonly field: string;
  /** What the running kubelet uses, per /configz. */
  readonly running: string;
  /** What the node's files and command line say, and which layer says it. */
  readonly declared: string;
  readonly layer: Pick<LayerValue, 'kind' | 'label' | 'raw'>;
  /** "running 10255 from /configz, file says 0: the kubelet was not restarted after the change". */
  readonly sentence: string;
}

/** Map values compare as durations ("2m" = "2m0s"), thresholds/quantities ("1Gi" = "1024Mi"), else as text. */
function sameText(a: string, b: string): boolean {
  if (a === b) return true;
  const da = parseDuration(a);
  const db = parseDuration(b);
  if (da.ok && db.ok) return da.ns === db.ns;
  const ta = parseThreshold(a);
  const tb = parseThreshold(b);
  return ta.ok && tb.ok && sameThreshold(ta.value, tb.value);
}

/** The Go zero value of a field's type: what /configz shows for a field no layer sets. */
function isZeroTyped(t: Typed): boolean {
  switch (t.type) {
    case 'bool':
      return !t.value;
    case 'int':
      return t.value === 0;
    case 'string':
      return t.value === '';
    case 'duration':
      return t.ns === 0n;
    case 'list':
      return t.value.length === 0;
    case 'map':
      return Object.keys(t.value).length === 0;
  }
}

export function sameTyped(a: Typed | undefined, b: Typed | undefined): boolean {
  // Unset on the node and omitted (zero) in /configz are the same thing: the kubelet has no value.
  if (a === undefined || b === undefined) return (a === undefined || isZeroTyped(a)) && (b === undefined || isZeroTyped(b));
  if (a.type === 'map' && b.type === 'map') {
    const ka = Object.keys(a.value).sort();
    const kb = Object.keys(b.value).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameText(a.value[k] ?? '', b.value[k] ?? ''));
  }
  if (a.type === 'duration' && b.type === 'duration') return a.ns === b.ns;
  return a.type === b.type && formatTyped(a) === formatTyped(b);
}

const saysWho = (l: Pick<LayerValue, 'kind' | 'label'>): string => {
  switch (l.kind) {
    case 'file':
      return 'file says';
    case 'drop-in':
      return `drop-in ${l.label.replace(/^drop-in:/, '')} says`;
    case 'cmdline':
      return 'command line says';
    case 'default':
      return 'the default is';
    case 'configz':
      return '/configz says';
  }
};

/** Every kubelet setting nodegate reads on which /configz and the node's own layers disagree. */
export function configzDrift(node: NodeFacts, configz: object, fields: readonly string[] = fieldSpecs.map((f) => f.field)): ConfigzDrift[] {
  const running = effectiveConfig(node, { configz });
  const declared = effectiveConfig(node);
  // A node whose own layers cannot be read has nothing to compare /configz with.
  if (declared.blocking.length > 0) return [];
  const out: ConfigzDrift[] = [];
  for (const field of fields) {
    const r = running.setting(field);
    const d = declared.setting(field);
    if (r.winner.kind !== 'configz' || r.error !== undefined || d.error !== undefined) continue;
    if (sameTyped(r.value, d.value)) continue;
    const runningText = formatTyped(r.value);
    const declaredText = formatTyped(d.value);
    out.push({
      field,
      running: runningText,
      declared: declaredText,
      layer: { kind: d.winner.kind, label: d.winner.label, raw: d.winner.raw },
      sentence: `running ${runningText} from /configz, ${saysWho(d.winner)} ${declaredText}: the kubelet was not restarted after the change`,
    });
  }
  return out;
}

/** The drift of one field when the cluster read /configz, for a kubelet check to append to its message. */
export function configzDriftNote(node: NodeFacts | undefined, cluster: ClusterFacts | undefined, field: string): string {
  if (!node || !cluster?.configz.ok) return '';
  const d = configzDrift(node, cluster.configz.value, [field])[0];
  return d ? `${d.field}: ${d.sentence} (${d.layer.label}: ${d.layer.raw}).` : '';
}
