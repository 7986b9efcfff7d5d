// A tolerant TOML tokenizer that records where each table header and key is defined, even in a broken file:
// parsers report one position, but a person fixing a duplicate needs both lines and quoting-insensitive names.

export interface TomlItem {
  readonly kind: 'table' | 'array-table' | 'key';
  /** Full key path with quotes resolved; elements of arrays of tables appear as "[n]". */
  readonly path: readonly string[];
  /** 1-based line where the header or the key starts. */
  readonly line: number;
  /** The file the item was read from, when several files were merged (containerd imports). */
  readonly file?: string;
}

const bare = /^[A-Za-z0-9_-]+$/;

/** A key path as TOML would spell it: bare parts bare, others double-quoted; array indexes dropped. */
export function formatKeyPath(path: readonly string[]): string {
  return path
    .filter((p) => !/^\[\d+\]$/.test(p))
    .map((p) => (bare.test(p) ? p : JSON.stringify(p)))
    .join('.');
}

const escapes: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

class Cursor {
  pos = 0;
  line = 1;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  get ch(): string {
    return this.text[this.pos] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  skipBlanks(): void {
    while (this.ch === ' ' || this.ch === '\t') this.pos++;
  }
  /** Move to the next newline (not past it); comments and garbage alike. */
  skipToEol(): void {
    while (this.pos < this.text.length && this.ch !== '\n') this.pos++;
  }
  /** Consume a multi-line string opened at pos, counting the lines it spans. */
  skipMultiline(delim: string): void {
    this.pos += 3;
    while (this.pos < this.text.length) {
      if (delim === '"""' && this.ch === '\\') {
        this.pos += 2;
        continue;
      }
      if (this.startsWith(delim)) {
        this.pos += 3;
        while (this.ch === delim[0]) this.pos++;
        return;
      }
      if (this.ch === '\n') this.line++;
      this.pos++;
    }
  }
  /** A one-line string opened at pos; returns its decoded text or undefined when unterminated. */
  readString(): string | undefined {
    const quote = this.ch;
    let out = '';
    this.pos++;
    while (this.pos < this.text.length && this.ch !== '\n') {
      const c = this.ch;
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (quote === '"' && c === '\\') {
        const e = this.text[this.pos + 1] ?? '';
        const width = e === 'u' ? 4 : e === 'U' ? 8 : e === 'x' ? 2 : 0;
        if (width > 0) {
          out += String.fromCodePoint(Number.parseInt(this.text.slice(this.pos + 2, this.pos + 2 + width), 16) || 0xfffd);
          this.pos += 2 + width;
        } else {
          out += escapes[e] ?? e;
          this.pos += 2;
        }
        continue;
      }
      out += c;
      this.pos++;
    }
    return undefined;
  }
  /** A dotted key (bare, "basic" or 'literal' parts); undefined when the text is not a key. */
  readKey(): string[] | undefined {
    const parts: string[] = [];
    for (;;) {
      this.skipBlanks();
      let part: string | undefined;
      if (this.ch === '"' || this.ch === "'") part = this.readString();
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.text.slice(this.pos, this.pos + 256));
        if (m) {
          part = m[0];
          this.pos += part.length;
        }
      }
      if (part === undefined) return undefined;
      parts.push(part);
      this.skipBlanks();
      if (this.ch !== '.') return parts;
      this.pos++;
    }
  }
  /** Consume a value up to the end of its last line: strings, nested arrays and inline tables included. */
  skipValue(): void {
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.ch;
      if (c === '\n') {
        if (depth === 0) return;
        this.line++;
        this.pos++;
      } else if (c === '#') this.skipToEol();
      else if (this.startsWith('"""') || this.startsWith("'''")) this.skipMultiline(this.text.slice(this.pos, this.pos + 3));
      else if (c === '"' || c === "'") {
        if (this.readString() === undefined) return;
      } else {
        if (c === '[' || c === '{') depth++;
        else if ((c === ']' || c === '}') && depth > 0) depth--;
        this.pos++;
      }
    }
  }
}

/** Every header and key of the document, in order, with resolved paths; unparseable lines are skipped. */
export function scanTomlItems(text: string): TomlItem[] {
  const items: TomlItem[] = [];
  const arrayCounts = new Map<string, number>();
  const c = new Cursor(text);
  let table: string[] = [];

  // Headers under an array of tables belong to its latest element: [[a]] then [a.b] is a.[n].b.
  const resolve = (parts: readonly string[]): string[] => {
    const out: string[] = [];
    for (const p of parts) {
      out.push(p);
      const n = arrayCounts.get(JSON.stringify(out));
      if (n !== undefined) out.push(`[${n - 1}]`);
    }
    return out;
  };

  while (c.pos < text.length) {
    c.skipBlanks();
    const ch = c.ch;
    const line = c.line;
    if (ch === '\n') {
      c.line++;
      c.pos++;
    } else if (ch === '\r' || ch === '#') {
      c.skipToEol();
    } else if (ch === '[') {
      const array = c.startsWith('[[');
      c.pos += array ? 2 : 1;
      const parts = c.readKey();
      c.skipBlanks();
      if (parts && c.startsWith(array ? ']]' : ']')) {
        if (array) {
          const base = resolve(parts.slice(0, -1)).concat(parts.slice(-1));
          const key = JSON.stringify(base);
          const n = (arrayCounts.get(key) ?? 0) + 1;
          arrayCounts.set(key, n);
          table = [...base, `[${n - 1}]`];
          items.push({ kind: 'array-table', path: base, line });
        } else {
          table = resolve(parts);
          items.push({ kind: 'table', path: table, line });
        }
      }
      c.skipToEol();
    } else {
      const parts = c.readKey();
      c.skipBlanks();
      if (parts && c.ch === '=') {
        c.pos++;
        items.push({ kind: 'key', path: [...table, ...parts], line });
        c.skipValue();
      }
      c.skipToEol();
    }
  }
  return items;
}
