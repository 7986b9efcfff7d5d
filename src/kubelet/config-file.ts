// A KubeletConfiguration file (YAML or JSON) as the kubelet decodes it: apiVersion and kind required, unknown
// keys tolerated, each field typed; --config-dir drop-ins merge over it the way encoding/json fills a struct.
import { parseAllDocuments, type Tags } from 'yaml';
import { parseDuration } from './duration.ts';
import type { FieldSpec, Typed } from './fields.ts';
import type { TypedResult } from './flags.ts';

export type ConfigObject = Readonly<Record<string, unknown>>;
export type ConfigParse =
  | {
      readonly ok: true;
      readonly object: ConfigObject;
      /** What strict decoding rejects (duplicate keys) before the kubelet falls back to lenient decoding. */
      readonly strictErrors: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

export const kubeletApiVersion = 'kubelet.config.k8s.io/v1beta1';

/**
 * go-yaml v2 (under sigs.k8s.io/yaml) resolves plain scalars as YAML 1.1 booleans (y, yes, on, off, ...) and
 * integers through strconv.ParseInt(s, 0, 64) with `_` removed, so 0755 and 0o755 are both octal; it has no
 * sexagesimal numbers, and a timestamp-like value decoded into interface{} stays a string.
 */
const goYamlTags = (tags: Tags): Tags => [
  ...tags.filter((t) => typeof t === 'string' ? t !== 'timestamp' && t !== 'intTime' && t !== 'floatTime' : t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME'),
  {
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    default: true,
    test: /^[-+]?0o[0-7_]+$/,
    resolve: (str: string) => (str.startsWith('-') ? -1 : 1) * parseInt(str.replace(/^[-+]?0o/, '').replaceAll('_', ''), 8),
  },
];

/**
 * A kubelet config file as the kubelet's codec reads it: YAML 1.1, only the first document (yaml.Unmarshal stops
 * there), strict decoding first and, when that fails on duplicate or unknown fields, the lenient decoder (where
 * the last duplicate wins and unknown fields are dropped) — a wrong type fails both, and the kubelet refuses it.
 */
export function parseKubeletConfig(text: string): ConfigParse {
  let doc;
  try {
    doc = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, prettyErrors: false, customTags: goYamlTags })[0];
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  if (doc === undefined || !('errors' in doc)) return { ok: false, error: 'the file is empty' };
  if (doc.errors.length > 0) return { ok: false, error: doc.errors.map((e) => e.message.split('\n')[0]).join('; ') };
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return { ok: false, error: 'the file is empty' };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'the file is not a mapping of settings' };
  const o = value as Record<string, unknown>;
  if (o['kind'] !== 'KubeletConfiguration') return { ok: false, error: `kind is ${JSON.stringify(o['kind'] ?? null)}, not KubeletConfiguration` };
  if (o['apiVersion'] !== kubeletApiVersion) return { ok: false, error: `apiVersion is ${JSON.stringify(o['apiVersion'] ?? null)}, not ${kubeletApiVersion}` };
  const strict = parseAllDocuments(text, { version: '1.1', uniqueKeys: true, prettyErrors: false, customTags: goYamlTags })[0];
  const strictErrors = strict && 'errors' in strict ? strict.errors.map((e) => e.message.split('\n')[0] ?? e.message) : [];
  return { ok: true, object: o, strictErrors };
}

/** The value at a dotted field path, undefined when any step is missing. */
export function valueAtPath(o: ConfigObject, field: string): unknown {
  let node: unknown = o;
  for (const key of field.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** encoding/json into an existing struct: objects merge key by key, everything else is replaced. */
export function mergeConfig(base: ConfigObject, over: ConfigObject): ConfigObject {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? mergeConfig(b, v) : v;
  }
  return out;
}
const isPlain = (v: unknown): v is ConfigObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A file value as the field's Go type decodes it; a wrong type makes the kubelet refuse the file. */
export function typedFromFile(spec: FieldSpec, v: unknown): TypedResult {
  const bad = (what: string): TypedResult => ({ ok: false, error: `${spec.field}: ${JSON.stringify(v)} is not ${what}; the kubelet refuses to load the file` });
  switch (spec.type) {
    case 'bool':
      return typeof v === 'boolean' ? ok({ type: 'bool', value: v }) : bad('a boolean');
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? ok({ type: 'int', value: v }) : bad('an integer');
    case 'string':
      return typeof v === 'string' ? ok({ type: 'string', value: v }) : bad('a string');
    case 'duration': {
      if (typeof v !== 'string') return bad('a duration string such as "4h0m0s"');
      const d = parseDuration(v);
      return d.ok ? ok({ type: 'duration', ns: d.ns }) : bad('a duration such as 4h0m0s');
    }
    case 'list':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? ok({ type: 'list', value: v }) : bad('a list of strings');
    case 'map': {
      if (!isPlain(v)) return bad('a mapping');
      const value: Record<string, string> = {};
      for (const [k, x] of Object.entries(v)) {
        if (typeof x !== 'string' && typeof x !== 'boolean' && typeof x !== 'number') return bad('a mapping of scalar values');
        value[k] = String(x);
      }
      return ok({ type: 'map', value });
    }
  }
}
const ok = (value: Typed): TypedResult => ({ ok: true, value });

/** A zero value: the kubelet's defaulting replaces it when the field has a default. */
export function isZero(t: Typed): boolean {
  switch (t.type) {
    case 'duration':
      return t.ns === 0n;
    case 'int':
      return t.value === 0;
    case 'string':
      return t.value === '';
    default:
      return false;
  }
}
