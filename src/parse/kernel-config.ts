// Parses the `kernel-config` probe script output: a `# source:` line, then the CONFIG_X=... lines grep kept.

export type Tristate = 'y' | 'm' | 'not set';

export interface KernelConfig {
  /** Where the config was read (/boot/config-R or /proc/config.gz); null when the node has neither. */
  readonly source: string | null;
  readonly values: ReadonlyMap<string, string>;
}

export function parseKernelConfig(text: string): KernelConfig {
  const lines = text.split('\n');
  const header = /^# source:\s*(.*)$/.exec(lines[0]?.trim() ?? '');
  const src = header?.[1]?.trim() ?? '';
  const values = new Map<string, string>();
  for (const raw of lines.slice(header ? 1 : 0)) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(raw.trim());
    if (m?.[1] && m[2] !== undefined) values.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  return { source: src === '' || src === 'none' ? null : src, values };
}

/** A symbol the probe asked for but grep did not print is "is not set" in a config that was read. */
export function tristate(config: KernelConfig, symbol: string): Tristate | undefined {
  if (config.source === null) return undefined;
  const v = config.values.get(symbol);
  if (v === 'y' || v === 'm') return v;
  return 'not set';
}
