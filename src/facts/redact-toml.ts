// Redacts registry credentials in a TOML file (containerd's config.toml, every config version) value by value,
// keeping every line where it was: the strict parser must still accept the file and name the same line numbers.
import { keptNewlines, redactedToken } from './redact-token.ts';

/** Keys whose value is a credential wherever they are. */
const secretLeaf = /^(password|passwd|auth|identitytoken|identity_token|token|secret|authorization)$/i;

/**
 * Is the value at this key path a credential? containerd's registry credentials live at
 * `…registry.configs."<host>".auth.{username,password,auth,identitytoken}` (config v2, and v3 under
 * `plugins."io.containerd.cri.v1.images"`) and `…registry.auths."<host>".*` (deprecated), and a registry
 * `headers` table can carry an Authorization header.
 */
export function secretTomlKey(path: readonly string[]): boolean {
  const leaf = path.at(-1) ?? '';
  if (secretLeaf.test(leaf)) return true;
  const registry = path.lastIndexOf('registry');
  if (registry < 0) return false;
  const under = path.slice(registry + 1);
  if (under[0] === 'headers' && under.length > 1) return true;
  return leaf.toLowerCase() === 'username' && (under[0] === 'auths' || under.includes('auth'));
}

/** A string value's text without its delimiters (what the hash is taken of); any other value as written. */
function valueText(raw: string): string {
  for (const q of ['"""', "'''"]) if (raw.startsWith(q) && raw.endsWith(q)) return raw.slice(3, -3).replace(/^\r?\n/, '');
  if (raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1);
  if (raw.startsWith('"') && raw.endsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }
  return raw;
}

const ws = (c: string | undefined): boolean => c === ' ' || c === '\t';
const bare = /[A-Za-z0-9_-]/;

/** A TOML scanner that copies its input and rewrites only the values of secret keys. */
class Scanner {
  i = 0;
  out = '';
  private readonly s: string;
  constructor(text: string) {
    this.s = text;
  }

  private peek(offset = 0): string | undefined {
    return this.s[this.i + offset];
  }
  private copyTo(end: number): void {
    this.out += this.s.slice(this.i, end);
    this.i = end;
  }
  private skipWs(): void {
    let j = this.i;
    while (ws(this.s[j])) j++;
    this.copyTo(j);
  }
  private restOfLine(): void {
    const nl = this.s.indexOf('\n', this.i);
    this.copyTo(nl < 0 ? this.s.length : nl + 1);
  }

  /** End index of a string starting at `j` (one of the four TOML string forms), or -1. */
  private stringEnd(j: number): number {
    const s = this.s;
    const q = s[j];
    if (q !== '"' && q !== "'") return -1;
    if (s.startsWith(q.repeat(3), j)) {
      let k = j + 3;
      while (k < s.length) {
        if (q === '"' && s[k] === '\\') k += 2;
        else if (s.startsWith(q.repeat(3), k)) {
          let end = k + 3;
          // Up to two quotes may sit just inside the closing delimiter.
          while (s[end] === q && end < k + 5) end++;
          return end;
        } else k++;
      }
      return -1;
    }
    let k = j + 1;
    while (k < s.length && s[k] !== '\n') {
      if (q === '"' && s[k] === '\\') k += 2;
      else if (s[k] === q) return k + 1;
      else k++;
    }
    return -1;
  }

  /** Decoded text of a quoted key (escapes that matter for key names: \" and \\). */
  private keyText(raw: string): string {
    if (raw.startsWith("'")) return raw.slice(1, -1);
    return raw.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }

  /** A dotted key at the cursor, copied to the output; null when there is none. */
  private key(): string[] | null {
    const parts: string[] = [];
    for (;;) {
      this.skipWs();
      const c = this.peek();
      if (c === '"' || c === "'") {
        const end = this.stringEnd(this.i);
        if (end < 0) return null;
        parts.push(this.keyText(this.s.slice(this.i, end)));
        this.copyTo(end);
      } else {
        let j = this.i;
        while (j < this.s.length && bare.test(this.s[j] ?? '')) j++;
        if (j === this.i) return null;
        parts.push(this.s.slice(this.i, j));
        this.copyTo(j);
      }
      this.skipWs();
      if (this.peek() !== '.') return parts;
      this.copyTo(this.i + 1);
    }
  }

  /** End index of the value at `j`: strings, arrays and inline tables nest; anything else runs to a delimiter. */
  private valueEnd(j: number): number {
    const s = this.s;
    const c = s[j];
    if (c === '"' || c === "'") return this.stringEnd(j);
    if (c === '[' || c === '{') {
      let depth = 0;
      let k = j;
      while (k < s.length) {
        const d = s[k];
        if (d === '"' || d === "'") {
          const end = this.stringEnd(k);
          if (end < 0) return -1;
          k = end;
          continue;
        }
        if (d === '#') {
          const nl = s.indexOf('\n', k);
          k = nl < 0 ? s.length : nl;
          continue;
        }
        if (d === '[' || d === '{') depth++;
        else if (d === ']' || d === '}') {
          depth--;
          if (depth === 0) return k + 1;
        }
        k++;
      }
      return -1;
    }
    let k = j;
    while (k < s.length && !/[\s#,\]}]/.test(s[k] ?? '')) k++;
    return k === j ? -1 : k;
  }

  /** `key = value` at the cursor under `prefix`; false when the text is not one (left for the strict parser to report). */
  keyValue(prefix: readonly string[]): boolean {
    const key = this.key();
    if (key === null || this.peek() !== '=') return false;
    this.copyTo(this.i + 1);
    this.skipWs();
    const path = [...prefix, ...key];
    const end = this.valueEnd(this.i);
    if (end < 0) return false;
    if (this.peek() === '{') {
      this.inlineTable(path, end);
    } else if (secretTomlKey(path)) {
      const raw = this.s.slice(this.i, end);
      this.out += `"${redactedToken(valueText(raw))}"${keptNewlines(raw)}`;
      this.i = end;
    } else this.copyTo(end);
    return true;
  }

  /** `{ k = v, … }`: each value judged under the table's own path. */
  private inlineTable(path: readonly string[], end: number): void {
    this.copyTo(this.i + 1);
    while (this.i < end - 1) {
      this.skipWs();
      const c = this.peek();
      if (c === ',' || c === '\n' || c === '\r') {
        this.copyTo(this.i + 1);
        continue;
      }
      if (c === '}') break;
      if (!this.keyValue(path)) {
        this.copyTo(end);
        return;
      }
    }
    this.copyTo(end);
  }

  /** `[table]` or `[[array]]`: the path every following key lives under. */
  header(): string[] | null {
    const double = this.peek(1) === '[';
    this.copyTo(this.i + (double ? 2 : 1));
    const key = this.key();
    if (key === null) return null;
    if (this.peek() !== ']' || (double && this.peek(1) !== ']')) return null;
    this.copyTo(this.i + (double ? 2 : 1));
    return key;
  }

  atEnd(): boolean {
    return this.i >= this.s.length;
  }
  current(): string | undefined {
    return this.peek();
  }
  blanks(): void {
    this.skipWs();
  }
  skipLine(): void {
    this.restOfLine();
  }
  /** Where a statement starts in the input and in the output, to undo a statement the scanner could not read. */
  mark(): { readonly i: number; readonly out: number } {
    return { i: this.i, out: this.out.length };
  }
  /**
   * Back to `m`, then the whole line as text: redacted from its `=` on when its key looks like a credential, since
   * a value the scanner cannot read (an unterminated string) may still be a secret the strict parser would quote.
   */
  lineFallback(m: { readonly i: number; readonly out: number }): void {
    this.i = m.i;
    this.out = this.out.slice(0, m.out);
    const nl = this.s.indexOf('\n', this.i);
    const end = nl < 0 ? this.s.length : nl;
    const line = this.s.slice(this.i, end);
    const eq = line.indexOf('=');
    const keyPart = eq < 0 ? '' : line.slice(0, eq).replace(/["'\s]/g, '');
    const leaf = keyPart.split('.').at(-1) ?? '';
    if (eq >= 0 && (secretLeaf.test(leaf) || /^username$/i.test(leaf))) {
      // The opening delimiter stays and no closing one is added: a line that did not parse must still not parse.
      const value = line.slice(eq + 1).trim();
      const open = value.startsWith('"') || value.startsWith("'") ? (value[0] ?? '') : '';
      this.out += `${line.slice(0, eq + 1)} ${open}${redactedToken(value.slice(open.length))}`;
      this.i = end;
    } else this.copyTo(end);
  }
}

/** The TOML text with every credential value replaced by its token, every line where it was. */
export function redactToml(text: string): string {
  const sc = new Scanner(text);
  let table: string[] = [];
  while (!sc.atEnd()) {
    sc.blanks();
    const c = sc.current();
    if (c === undefined) break;
    const m = sc.mark();
    if (c === '[') {
      const header = sc.header();
      if (header === null) sc.lineFallback(m);
      // A header that does not parse leaves the table unknown: keys below it are judged by their own names only.
      table = header ?? [];
    } else if (c !== '\n' && c !== '\r' && c !== '#' && !sc.keyValue(table)) sc.lineFallback(m);
    sc.skipLine();
  }
  return sc.out;
}
