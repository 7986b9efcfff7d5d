// The scripts run on the node print their evidence as `@@ KEY VALUE` lines; this reads them back, so the verdicts
// are pure functions of recorded text (and the unit tests replay real runs' output).

export type Record_ = ReadonlyMap<string, readonly string[]>;

/** Every value printed for each key, in order; lines without the marker (a shell's own noise) are ignored. */
export function parseRecord(stdout: string): Record_ {
  const out = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const m = /^@@ (\S+)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const key = m[1] ?? '';
    const list = out.get(key) ?? [];
    list.push(m[2] ?? '');
    out.set(key, list);
  }
  return out;
}

export const first = (r: Record_, key: string): string | undefined => r.get(key)?.[0];
export const all = (r: Record_, key: string): readonly string[] => r.get(key) ?? [];

/** An integer value, or undefined when absent or not a number. */
export function intOf(r: Record_, key: string): number | undefined {
  const v = first(r, key);
  return v !== undefined && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

/** A key's lines joined for a message, cut to what a person reads. */
export function excerpt(r: Record_, key: string, max = 300): string {
  const text = all(r, key).join(' | ').trim();
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
