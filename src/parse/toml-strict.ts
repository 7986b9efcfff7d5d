// Strict TOML parsing that explains failures by line: a duplicate table names both of its definitions.
import { parse, TomlError } from 'smol-toml';
import { scanTomlItems, formatKeyPath, type TomlItem } from './toml-strict-scan.ts';

export type { TomlItem } from './toml-strict-scan.ts';
export { scanTomlItems, formatKeyPath } from './toml-strict-scan.ts';

export type TomlTable = Record<string, unknown>;

export interface TomlProblem {
  /** One sentence a person can act on, with line numbers. */
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** Set when something was defined twice: the line of the first definition. */
  readonly firstLine?: number;
}

export type StrictTomlResult =
  | { readonly ok: true; readonly value: TomlTable; readonly items: readonly TomlItem[] }
  | { readonly ok: false; readonly problem: TomlProblem };

const samePath = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((p, i) => p === b[i]);
const isPrefix = (prefix: readonly string[], path: readonly string[]): boolean =>
  prefix.length < path.length && prefix.every((p, i) => p === path[i]);

const describe = (item: TomlItem): string =>
  item.kind === 'key' ? `key ${formatKeyPath(item.path)}` : `table [${formatKeyPath(item.path)}]`;

/** Why smol-toml refused the document at `line`, with the earlier definition found by scanning. */
function explain(items: readonly TomlItem[], line: number, column: number, reason: string): TomlProblem {
  const here = items.find((i) => i.line === line);
  if (here) {
    const before = items.filter((i) => i.line < line);
    const same = before.find((i) => samePath(i.path, here.path) && i.kind !== 'array-table');
    if (same && same.kind === here.kind) {
      const what = here.kind === 'key' ? 'key' : 'table';
      const name = here.kind === 'key' ? formatKeyPath(here.path) : `[${formatKeyPath(here.path)}]`;
      return { message: `${what} ${name} is defined twice: lines ${same.line} and ${line}`, line, column, firstLine: same.line };
    }
    if (same) {
      return { message: `${describe(here)} on line ${line} redefines ${describe(same)} from line ${same.line}`, line, column, firstLine: same.line };
    }
    const value = before.find((i) => i.kind === 'key' && isPrefix(i.path, here.path));
    if (value) {
      return {
        message: `${describe(here)} on line ${line} extends ${describe(value)}, which line ${value.line} already set to a value`,
        line,
        column,
        firstLine: value.line,
      };
    }
  }
  return { message: `line ${line}, column ${column}: ${reason}`, line, column };
}

/** Parse TOML 1.0 strictly; on failure say what is wrong and on which line(s). */
export function parseTomlStrict(text: string): StrictTomlResult {
  const items = scanTomlItems(text);
  try {
    return { ok: true, value: parse(text) as TomlTable, items };
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const reason = (e.message.split('\n')[0] ?? e.message).replace(/^Invalid TOML document:\s*/, '');
    return { ok: false, problem: explain(items, e.line, e.column, reason) };
  }
}

/** Line of the item at `path`, else of its nearest enclosing item (a table, or an inline-table key). */
export function lineOf(items: readonly TomlItem[], path: readonly string[]): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    const hit = items.find((i) => samePath(i.path, prefix));
    if (hit) return hit.line;
  }
  return undefined;
}

/** Line of an item at exactly `path`, if the document spells it out. */
export function exactLineOf(items: readonly TomlItem[], path: readonly string[]): number | undefined {
  return items.find((i) => samePath(i.path, path))?.line;
}

/** The file of the item lineOf finds, when the items were merged from several files (containerd imports). */
export function fileOf(items: readonly TomlItem[], path: readonly string[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const prefix = path.slice(0, n);
    const hit = items.find((i) => samePath(i.path, prefix));
    if (hit) return hit.file;
  }
  return undefined;
}
