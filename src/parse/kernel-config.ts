// Parses the `kernel-config` probe script output: a `# source:` line, then the CONFIG_X=... lines grep kept.

export type Tristate = 'y' | 'm' | 'not set';

export interface KernelConfig {
  /** Where the config was read (/boot/config-R or /proc/config.gz); null when the node has neither. */
  readonly source: string | null;
  readonly values: ReadonlyMap<string, string>;
  /** The symbols the probe asked for (its `# keys:` line); undefined for output of a probe that did not say. */
  readonly asked?: ReadonlySet<string>;
}

export function parseKernelConfig(text: string): KernelConfig {
  let src = '';
  let asked: Set<string> | undefined;
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const header = /^# (source|keys):\s*(.*)$/.exec(line);
    if (header?.[1] === 'source') src = header[2]?.trim() ?? '';
    else if (header?.[1] === 'keys') asked = new Set((header[2] ?? '').split(/\s+/).filter(Boolean));
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) values.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  return { source: src === '' || src === 'none' ? null : src, values, ...(asked ? { asked } : {}) };
}

/** The value of a symbol the probe asked for: its line, or "not set" when grep printed none; undefined if unknown. */
export function configValue(config: KernelConfig, symbol: string): string | undefined {
  if (config.source === null || !config.asked?.has(symbol)) return undefined;
  return config.values.get(symbol) ?? 'not set';
}

/** A symbol the probe asked for but grep did not print is "is not set" in a config that was read. */
export function tristate(config: KernelConfig, symbol: string): Tristate | undefined {
  if (config.source === null) return undefined;
  const v = config.values.get(symbol);
  if (v === 'y' || v === 'm') return v;
  return 'not set';
}
