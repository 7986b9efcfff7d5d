// containerd 1.x (1.6, 1.7) reads its config with go-toml v1.9.x, which loads two forms TOML 1.0 (and nodegate's
// strict parser, and containerd 2.x's go-toml v2) refuses: a [table] header reopening a table that dotted keys
// already defined, and decimal numbers with leading zeros. Modelled here for the 1.x line only, so RT-2.2.1 does
// not fail files the daemon starts with, while the duplicate-[table] trap (the same header twice) stays refused.
// Upstream (pelletier/go-toml v1.9.5, vendored by containerd 1.6.x and 1.7.x; 1.6.0 had v1.9.3, same rules):
// parser.go parseGroup (140-168) refuses a header only when its exact text was a header before ("duplicated
// tables"), parseAssign (170-227) creates dotted keys' tables without recording them as headers; parseRvalue
// (294-326) reads an integer token of 3+ characters starting with "0" as a base prefix and panics "invalid base"
// when none follows (recovered by LoadBytes, toml.go 468-476), so `00` and `01` load and `007` does not.
import { formatKeyPath, parseTomlStrict, scanTomlItems, type TomlItem, type TomlProblem, type TomlTable } from './toml-strict.ts';

export type GoTomlV1Result =
  /** Loaded; `lenient` names each construct only go-toml v1 accepts (a 2.x upgrade refuses the file). */
  | { readonly ok: true; readonly value: TomlTable; readonly items: readonly TomlItem[]; readonly lenient: readonly string[] }
  /** Refused with the strict parser's explanation (the line containerd names may differ in wording). */
  | { readonly ok: false; readonly problem: TomlProblem }
  /** Refused with go-toml v1's own words, as containerd 1.x prints them after "failed to load TOML: P: ". */
  | { readonly ok: false; readonly refusal: { readonly message: string; readonly line: number } };

interface NumberToken {
  readonly start: number;
  readonly text: string;
  readonly line: number;
}

/** Every number token in a value position (after `=`, in arrays), skipping strings, comments, keys and headers. */
function valueNumbers(text: string): NumberToken[] {
  const out: NumberToken[] = [];
  const stack: string[] = [];
  let i = 0;
  let line = 1;
  let inValue = false;
  let expectValue = false;
  let atStatement = true;
  const skipString = (): void => {
    const q = text[i] ?? '';
    const triple = text.startsWith(q.repeat(3), i);
    const end = triple ? q.repeat(3) : q;
    i += triple ? 3 : 1;
    while (i < text.length && !text.startsWith(end, i)) {
      if (text[i] === '\n') {
        if (!triple) return; // unterminated: the strict parser reports it
        line++;
      }
      i += q === '"' && text[i] === '\\' ? 2 : 1;
    }
    i += end.length;
    // A closing quote may be followed by up to two more quotes of the content (TOML: """a""""").
    while (triple && text[i] === q) i++;
  };
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      line++;
      i++;
      if (stack.length === 0) {
        inValue = expectValue = false;
        atStatement = true;
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      skipString();
      expectValue = false;
      atStatement = false;
      continue;
    }
    if (!inValue) {
      if (atStatement && c === '[') {
        // A header: up to its closing bracket (quoted parts may hold brackets).
        i++;
        while (i < text.length && text[i] !== ']' && text[i] !== '\n') {
          if (text[i] === '"' || text[i] === "'") skipString();
          else i++;
        }
        atStatement = false;
        continue;
      }
      atStatement = false;
      if (c === '=') inValue = expectValue = true;
      i++;
      continue;
    }
    if (c === '[' || c === '{') {
      stack.push(c);
      expectValue = c === '[';
      i++;
      continue;
    }
    if (c === ']' || c === '}') {
      stack.pop();
      expectValue = false;
      i++;
      continue;
    }
    if (c === '=') {
      expectValue = true;
      i++;
      continue;
    }
    if (c === ',') {
      expectValue = stack.at(-1) === '[';
      i++;
      continue;
    }
    if (expectValue && /[0-9+-]/.test(c)) {
      const m = /^[0-9A-Za-z_+\-.:]+/.exec(text.slice(i, i + 128));
      const tok = m?.[0] ?? c;
      out.push({ start: i, text: tok, line });
      i += tok.length;
      expectValue = false;
      continue;
    }
    expectValue = false;
    i++;
  }
  return out;
}

const decimal = /^([+-]?)([0-9][0-9_]*)((?:\.[0-9_]+)?(?:[eE][+-]?[0-9_]+)?)$/;

/**
 * Leading zeros rewritten to what go-toml v1 reads (same length, padded with spaces, so lines and columns stay),
 * or the token go-toml v1 refuses.
 */
function leadingZeros(text: string): { text: string; lenient: string[] } | { refusal: { message: string; line: number } } {
  let out = text;
  const lenient: string[] = [];
  for (const tok of valueNumbers(text)) {
    const m = decimal.exec(tok.text);
    if (!m) continue;
    const [, sign = '', intPart = '', rest = ''] = m;
    const digits = intPart.replace(/_/g, '');
    if (digits.length < 2 || !digits.startsWith('0')) continue;
    const isInteger = rest === '';
    // parseRvalue: an unsigned integer of 3+ characters (underscores removed) that starts with 0 is a base prefix.
    if (isInteger && sign === '' && digits.length >= 3) return { refusal: { message: 'invalid base', line: tok.line } };
    const canonical = `${sign}${digits.replace(/^0+(?=\d)/, '')}${rest}`;
    out = out.slice(0, tok.start) + canonical.padEnd(tok.text.length, ' ') + out.slice(tok.start + tok.text.length);
    lenient.push(`line ${tok.line}: ${tok.text} has a leading zero (read as ${canonical})`);
  }
  return { text: out, lenient };
}

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((p, i) => p === b[i]);
const isStrictPrefix = (prefix: readonly string[], path: readonly string[]): boolean => prefix.length < path.length && prefix.every((p, i) => p === path[i]);
const isTable = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Date);

/** The text between a header's brackets, as go-toml v1 compares it (`key.val`), and where the header spans. */
const headerSpan = /^(\s*)\[((?:[^\]\n"']|"[^"\n]*"|'[^'\n]*')*)\]/;

/**
 * Why go-toml v1 accepts the header on `line` that TOML 1.0 refuses: it reopens a table only dotted keys defined
 * (no header named it, no key set it or a table above it to a value, a key beneath it exists), or it names a table
 * a header defined before under another spelling (parseGroup compares header text).
 */
function lenientHeader(items: readonly TomlItem[], line: number, rawOf: (line: number) => string | undefined): { item: TomlItem; why: string } | undefined {
  const here = items.find((i) => i.line === line && i.kind === 'table');
  if (!here) return undefined;
  const before = items.filter((i) => i.line < line);
  if (before.some((i) => i.kind === 'key' && (samePath(i.path, here.path) || isStrictPrefix(i.path, here.path)))) return undefined;
  if (before.some((i) => i.kind === 'array-table' && samePath(i.path, here.path))) return undefined;
  const headers = before.filter((i) => i.kind === 'table' && samePath(i.path, here.path));
  if (headers.length > 0) {
    const raw = rawOf(line);
    if (raw === undefined || headers.some((h) => rawOf(h.line) === raw)) return undefined;
    return { item: here, why: `defines [${formatKeyPath(here.path)}] again under another spelling (line ${headers[0]?.line ?? '?'})` };
  }
  return before.some((i) => i.kind === 'key' && isStrictPrefix(here.path, i.path)) ? { item: here, why: `reopens a table that dotted keys already defined` } : undefined;
}

/**
 * The dotted key on `line` walks into a table a header defined after the key's own table (`[a.b]` … `[a]` `b.d = 1`):
 * go-toml v1's parseAssign finds that table and assigns into it. Not when it would set or cross a value.
 */
function lenientDottedKey(items: readonly TomlItem[], line: number): { item: TomlItem; context: readonly string[] } | undefined {
  const here = items.find((i) => i.line === line && i.kind === 'key');
  if (!here) return undefined;
  const before = items.filter((i) => i.line < line);
  const ctxItem = [...before].reverse().find((i) => i.kind !== 'key');
  if (ctxItem?.kind === 'array-table') return undefined;
  const context = ctxItem?.path ?? [];
  if (!isStrictPrefix(context, here.path)) return undefined;
  if (before.some((i) => i.kind === 'key' && (samePath(i.path, here.path) || isStrictPrefix(i.path, here.path) || isStrictPrefix(here.path, i.path)))) return undefined;
  const intoHeader = before.some((i) => i.kind === 'table' && isStrictPrefix(context, i.path) && isStrictPrefix(i.path, here.path));
  return intoHeader ? { item: here, context } : undefined;
}

interface Rewrite {
  readonly kind: 'table' | 'key';
  readonly sentinel: string;
  /** The table (kind table) or key (kind key) go-toml v1 puts the content in. */
  readonly path: readonly string[];
  /** Where the sentinel sits in the parsed document: the root for a header, the key's table for a key. */
  readonly context: readonly string[];
  readonly line: number;
  /** A header's text between its brackets (go-toml v1 refuses the same text twice). */
  readonly raw?: string;
  readonly why: string;
}

/** The table at a resolved path ("[n]" parts index arrays of tables). */
function tableAt(root: TomlTable, path: readonly string[], create = false): Record<string, unknown> | undefined {
  let cur: unknown = root;
  for (const p of path) {
    const idx = /^\[(\d+)\]$/.exec(p);
    if (idx) cur = Array.isArray(cur) ? (cur[Number(idx[1])] as unknown) : undefined;
    else if (isTable(cur)) {
      if (cur[p] === undefined && create) cur[p] = {};
      cur = cur[p];
    } else cur = undefined;
  }
  return isTable(cur) ? cur : undefined;
}

/** parseAssign into an existing table: tables merge, a key already there is "defined twice". */
function mergeInto(target: Record<string, unknown>, from: Record<string, unknown>, path: readonly string[]): readonly string[] | undefined {
  for (const [k, v] of Object.entries(from)) {
    const cur = target[k];
    if (cur === undefined) target[k] = v;
    else if (isTable(cur) && isTable(v)) {
      const clash = mergeInto(cur, v, [...path, k]);
      if (clash) return clash;
    } else return [...path, k];
  }
  return undefined;
}

/** Where a key's text ends on its line: the `=` outside quotes. */
function keyEnd(text: string, from: number): number | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '=') return i;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return undefined;
      i = close;
    }
  }
  return undefined;
}

/** Parses a containerd config as go-toml v1 (containerd 1.x) loads it. */
export function parseGoTomlV1(original: string): GoTomlV1Result {
  const zeros = leadingZeros(original);
  if ('refusal' in zeros) return { ok: false, refusal: zeros.refusal };
  const lenient = [...zeros.lenient];
  const originalLines = zeros.text.split('\n');
  const lines = [...originalLines];
  const originalItems = scanTomlItems(zeros.text);
  const rawOf = (line: number): string | undefined => {
    const m = headerSpan.exec(originalLines[line - 1] ?? '');
    return m ? m[2] : undefined;
  };
  const rewrites: Rewrite[] = [];
  const tag = Math.random().toString(36).slice(2, 10);
  for (;;) {
    const parsed = parseTomlStrict(lines.join('\n'));
    if (parsed.ok) return finish(parsed.value, originalItems, rewrites, lenient, originalLines);
    const line = parsed.problem.line;
    const refused = (): GoTomlV1Result => ({ ok: false, problem: unSentinel(parsed.problem, rewrites) });
    if (rewrites.some((r) => r.line === line)) return refused();
    const sentinel = `nodegate go-toml v1 ${rewrites.length} ${tag}`;
    // parseGroup refuses the same header text twice, also when the first one was itself lenient.
    const raw = rawOf(line);
    if (raw !== undefined && rewrites.some((r) => r.kind === 'table' && r.raw === raw)) {
      const col = (originalLines[line - 1] ?? '').indexOf('[') + 2;
      return { ok: false, refusal: { message: `(${line}, ${col}): duplicated tables`, line } };
    }
    const header = lenientHeader(originalItems, line, rawOf);
    if (header) {
      const text = lines[line - 1] ?? '';
      const m = headerSpan.exec(text);
      if (!m || raw === undefined) return refused();
      // The header becomes a root table of its own name; its keys are merged into the table afterwards.
      lines[line - 1] = `${m[1] ?? ''}[${JSON.stringify(sentinel)}]${text.slice(m[0].length)}`;
      rewrites.push({ kind: 'table', sentinel, path: header.item.path, context: [], line, raw, why: header.why });
      continue;
    }
    const dotted = lenientDottedKey(originalItems, line);
    if (dotted) {
      const text = lines[line - 1] ?? '';
      const start = text.search(/\S/);
      const end = start < 0 ? undefined : keyEnd(text, start);
      if (end === undefined) return refused();
      // The key becomes one sentinel key of its own table; its value is put at the dotted path afterwards.
      lines[line - 1] = `${text.slice(0, start)}${JSON.stringify(sentinel)} ${text.slice(end)}`;
      rewrites.push({ kind: 'key', sentinel, path: dotted.item.path, context: dotted.context, line, why: `${formatKeyPath(dotted.item.path.slice(dotted.context.length))} extends a table a header defined` });
      continue;
    }
    return refused();
  }
}

function finish(value: TomlTable, items: readonly TomlItem[], rewrites: readonly Rewrite[], lenient: string[], lines: readonly string[]): GoTomlV1Result {
  const twice = (clash: readonly string[], fallbackLine: number): GoTomlV1Result => {
    // go-toml v1 names the key with its dotted path, unquoted: "plugins.io.containerd.grpc.v1.cri.containerd.snapshotter".
    const keyLine = items.find((i) => i.kind === 'key' && i.line >= fallbackLine && samePath(i.path, clash))?.line ?? fallbackLine;
    const col = (lines[keyLine - 1] ?? '').search(/\S/) + 1;
    return { ok: false, refusal: { message: `(${keyLine}, ${col}): The following key was defined twice: ${clash.filter((p) => !/^\[\d+\]$/.test(p)).join('.')}`, line: keyLine } };
  };
  for (const r of rewrites) {
    const holder = tableAt(value, r.context);
    const body = holder?.[r.sentinel];
    if (holder) delete holder[r.sentinel];
    if (r.kind === 'table') {
      const target = tableAt(value, r.path);
      if (!isTable(body) || !target) return { ok: false, problem: { message: `line ${r.line}: [${formatKeyPath(r.path)}] names something that is not a table`, line: r.line, column: 1 } };
      const clash = mergeInto(target, body, r.path);
      if (clash) return twice(clash, r.line);
    } else {
      const parent = tableAt(value, r.path.slice(0, -1), true);
      const leaf = r.path.at(-1);
      if (!parent || leaf === undefined) return { ok: false, problem: { message: `line ${r.line}: ${formatKeyPath(r.path)} crosses a value`, line: r.line, column: 1 } };
      if (parent[leaf] !== undefined) return twice(r.path, r.line);
      parent[leaf] = body;
    }
    lenient.push(`line ${r.line}: ${r.kind === 'table' ? `[${formatKeyPath(r.path)}] ` : ''}${r.why}`);
  }
  return { ok: true, value, items, lenient };
}

/** A strict-parser problem after some lines were rewritten: speak of the tables as the file names them. */
function unSentinel(problem: TomlProblem, rewrites: readonly Rewrite[]): TomlProblem {
  let message = problem.message;
  for (const r of rewrites) message = message.split(formatKeyPath([...r.context, r.sentinel])).join(formatKeyPath(r.path)).split(formatKeyPath([r.sentinel])).join(formatKeyPath(r.path));
  return { ...problem, message };
}
