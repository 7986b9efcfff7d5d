// Parses sysctl.conf / sysctl.d files line by line as procps-ng 4 sysctl(8) does, keeping line numbers.

export interface SysctlSetting {
  readonly line: number;
  /** The key as written, without a leading '-'. */
  readonly key: string;
  /** The key as a path under /proc/sys ("net/ipv4/ip_forward"), the form procps matches on. */
  readonly path: string;
  /** Value with surrounding blanks removed; null for a `-key` exclusion line. */
  readonly value: string | null;
  /** `-key = value`: a failure to set it is ignored. */
  readonly ignoreFailure: boolean;
  /** `-key` with no '=': keeps glob settings off the matching keys. */
  readonly globExclude: boolean;
  readonly isGlob: boolean;
}

export interface SysctlParseResult {
  readonly settings: SysctlSetting[];
  /** Lines procps warns about ("invalid syntax, continuing..."). */
  readonly invalid: readonly number[];
}

/**
 * procps' slashdot(): the first separator decides the notation. A dotted key swaps every '.' and '/',
 * so "net.ipv4.conf.eth0/100.rp_filter" names the interface "eth0.100".
 */
export function sysctlKeyToPath(key: string): string {
  const first = /[./]/.exec(key);
  if (!first || first[0] === '/') return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** The dotted name sysctl prints for a /proc/sys path. */
export function sysctlPathToKey(path: string): string {
  const first = /[./]/.exec(path);
  if (!first || first[0] === '.') return path;
  return path.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

export function isSysctlGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

export function parseSysctlConf(text: string): SysctlParseResult {
  const settings: SysctlSetting[] = [];
  const invalid: number[] = [];
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start another one.
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    const line = i + 1;
    let key = raw.replace(/^\s+/, '');
    if (key.trim() === '') return;
    if (key.startsWith('#') || key.startsWith(';')) return;
    const eq = key.indexOf('=');
    let value: string | null = null;
    let ignoreFailure = false;
    let globExclude = false;
    if (eq < 0) {
      if (!key.startsWith('-')) {
        invalid.push(line);
        return;
      }
      globExclude = true;
      key = key.slice(1).replace(/\s+$/, '');
    } else {
      value = key.slice(eq + 1).trim();
      key = key.slice(0, eq);
      if (key.startsWith('-')) {
        ignoreFailure = true;
        key = key.slice(1);
      }
      key = key.replace(/\s+$/, '');
    }
    const path = sysctlKeyToPath(key);
    settings.push({ line, key, path, value, ignoreFailure, globExclude, isGlob: isSysctlGlob(path) });
  });
  return { settings, invalid };
}

export interface SysctlSystemOutput {
  /** Files in the order sysctl --system applied them ("* Applying FILE ..."). */
  readonly applied: readonly string[];
  /** Every `key = value` line printed, in order; a key set twice appears twice. */
  readonly assignments: readonly { readonly key: string; readonly value: string }[];
}

/** Parses what `sysctl --system` (or `--dry-run --system`) printed. */
export function parseSysctlSystemOutput(text: string): SysctlSystemOutput {
  const applied: string[] = [];
  const assignments: { key: string; value: string }[] = [];
  for (const raw of text.split('\n')) {
    const a = /^\* Applying (.+) \.\.\.$/.exec(raw.trim());
    if (a?.[1]) {
      applied.push(a[1]);
      continue;
    }
    const kv = /^([^=\s]+) = (.*)$/.exec(raw.trim());
    if (kv?.[1] && kv[2] !== undefined) assignments.push({ key: kv[1], value: kv[2] });
  }
  return { applied, assignments };
}
