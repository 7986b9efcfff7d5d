// systemd's own text rules for unit files, Environment= words and EnvironmentFile= files: the command line a
// unit runs is only right if quoting, continuation lines and invalid assignments are read as systemd reads them.

export interface Directive {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  /** 1-based line where the directive starts. */
  readonly line: number;
}

/** Sections and Key=Value lines; comments (# ;) dropped, backslash-continued lines joined with a space. */
export function parseUnitFile(text: string): Directive[] {
  const out: Directive[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    let l = (lines[i] ?? '').trim();
    const start = i + 1;
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    while (l.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = (lines[i] ?? '').trim();
      if (next.startsWith('#') || next.startsWith(';')) {
        l = `${l.slice(0, -1)} `;
        continue;
      }
      l = `${l.slice(0, -1)} ${next}`;
    }
    if (l.startsWith('[') && l.endsWith(']')) {
      section = l.slice(1, -1);
      continue;
    }
    const eq = l.indexOf('=');
    if (eq < 0) continue; // systemd logs "Missing '='" and ignores the line
    out.push({ section, key: l.slice(0, eq).trim(), value: l.slice(eq + 1).trim(), line: start });
  }
  return out;
}

const cEscapes: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', s: ' ', '\\': '\\', '"': '"', "'": "'" };

/** extract_first_word with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE, repeated: whitespace-separated, quotes group. */
export function splitWords(text: string, options: { cunescape?: boolean } = {}): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) {
        const n = text[++i] ?? '';
        cur += options.cunescape === false ? n : (cEscapes[n] ?? n);
      } else cur += c;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === '"' || c === "'") quote = c;
    else if (c === '\\' && i + 1 < text.length) {
      const n = text[++i] ?? '';
      cur += options.cunescape === false ? n : (cEscapes[n] ?? n);
    } else cur += c;
  }
  if (inWord) words.push(cur);
  return words;
}

/** systemd's env_name_is_valid: a shell variable name. */
export const validEnvName = (name: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);

export interface Assignment {
  readonly name: string;
  readonly value: string;
}
export interface Assignments {
  readonly assignments: readonly Assignment[];
  /** Words systemd ignores with "Invalid environment assignment". */
  readonly invalid: readonly string[];
}

/** The words of one Environment= line as NAME=value pairs. */
export function parseEnvironmentLine(value: string): Assignments {
  const assignments: Assignment[] = [];
  const invalid: string[] = [];
  for (const word of splitWords(value)) {
    const eq = word.indexOf('=');
    const name = eq < 0 ? '' : word.slice(0, eq);
    if (eq < 0 || !validEnvName(name)) invalid.push(word);
    else assignments.push({ name, value: word.slice(eq + 1) });
  }
  return { assignments, invalid };
}

export interface EnvFileEntry extends Assignment {
  readonly line: number;
}

/**
 * An EnvironmentFile= file as systemd's load_env_file reads it: KEY=VALUE lines, # and ; comments, quotes
 * group, unquoted trailing whitespace dropped, backslash-newline continues the value.
 */
export function parseEnvFile(text: string): { entries: EnvFileEntry[]; invalid: { line: number; text: string }[] } {
  const entries: EnvFileEntry[] = [];
  const invalid: { line: number; text: string }[] = [];
  const src = text.replace(/\r\n?/g, '\n');
  let i = 0;
  let line = 1;
  while (i < src.length) {
    // one logical line
    while (i < src.length && (src[i] === ' ' || src[i] === '\t')) i++;
    const startLine = line;
    if (src[i] === '\n') {
      i++;
      line++;
      continue;
    }
    if (src[i] === '#' || src[i] === ';') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    let key = '';
    while (i < src.length && src[i] !== '=' && src[i] !== '\n') key += src[i++];
    if (src[i] !== '=') {
      if (key.trim() !== '') invalid.push({ line: startLine, text: key.trim() });
      continue;
    }
    i++; // '='
    let value = '';
    let pendingSpace = '';
    let quote: '"' | "'" | null = null;
    while (i < src.length) {
      const c = src[i] ?? '';
      if (quote === "'") {
        if (c === "'") quote = null;
        else {
          if (c === '\n') line++;
          value += c;
        }
        i++;
        continue;
      }
      if (quote === '"') {
        if (c === '"') quote = null;
        else if (c === '\\' && i + 1 < src.length) {
          const n = src[i + 1] ?? '';
          if (n === '\n') line++;
          else value += '"\\`$'.includes(n) ? n : `\\${n}`;
          i++;
        } else {
          if (c === '\n') line++;
          value += c;
        }
        i++;
        continue;
      }
      if (c === '\n') break;
      if (c === '\\' && i + 1 < src.length) {
        const n = src[i + 1] ?? '';
        if (n === '\n') line++;
        else value += pendingSpace + n;
        pendingSpace = '';
        i += 2;
        continue;
      }
      if (c === ' ' || c === '\t') {
        if (value !== '') pendingSpace += c;
        i++;
        continue;
      }
      value += pendingSpace;
      pendingSpace = '';
      if (c === '"' || c === "'") quote = c;
      else value += c;
      i++;
    }
    const name = key.trim();
    if (validEnvName(name)) entries.push({ name, value, line: startLine });
    else invalid.push({ line: startLine, text: `${key}=${value}` });
  }
  return { entries, invalid };
}

/** `systemctl show` output: Key=Value per line (a key may repeat, e.g. EnvironmentFiles=). */
export function parseSystemctlShow(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of text.split('\n')) {
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    const k = l.slice(0, eq);
    out.set(k, [...(out.get(k) ?? []), l.slice(eq + 1)]);
  }
  return out;
}
