// Strict TOML with line-exact explanations: both lines of a duplicate, quoting-insensitive names, and a tokenizer
// that is not fooled by brackets inside strings or arrays.
import { describe, expect, it } from 'vitest';
import { lineOf, parseTomlStrict, scanTomlItems } from '../../src/parse/toml-strict.ts';

const problem = (text: string) => {
  const r = parseTomlStrict(text);
  if (r.ok) throw new Error('expected a parse failure');
  return r.problem;
};

describe('scanTomlItems', () => {
  it('normalises quoting of header keys', () => {
    const items = scanTomlItems(`[plugins."io.containerd.grpc.v1.cri"]\n[ plugins . 'io.containerd.grpc.v1.cri' ]\n[plugins."a\\u0062"]\n`);
    expect(items.map((i) => i.path)).toEqual([
      ['plugins', 'io.containerd.grpc.v1.cri'],
      ['plugins', 'io.containerd.grpc.v1.cri'],
      ['plugins', 'ab'],
    ]);
  });
  it('records keys with their table and line, including dotted keys', () => {
    const items = scanTomlItems('version = 2\n\n[grpc]\n  address = "/run/x.sock" # comment\n  a.b = 1\n');
    expect(items).toEqual([
      { kind: 'key', path: ['version'], line: 1 },
      { kind: 'table', path: ['grpc'], line: 3 },
      { kind: 'key', path: ['grpc', 'address'], line: 4 },
      { kind: 'key', path: ['grpc', 'a', 'b'], line: 5 },
    ]);
  });
  it('skips brackets inside multi-line arrays and strings', () => {
    const text = 'x = [\n  ["a"],\n  "[b]",\n]\ns = """\n[c]\n"""\nt = \'\'\'\n[d]\'\'\'\n[e]\n';
    const items = scanTomlItems(text);
    expect(items.map((i) => [i.kind, i.path.join('.'), i.line])).toEqual([
      ['key', 'x', 1],
      ['key', 's', 5],
      ['key', 't', 8],
      ['table', 'e', 10],
    ]);
  });
  it('gives each element of an array of tables its own path', () => {
    const items = scanTomlItems('[[a]]\nx = 1\n[a.b]\n[[a]]\nx = 2\n');
    expect(items.map((i) => i.path.join('.'))).toEqual(['a', 'a.[0].x', 'a.[0].b', 'a', 'a.[1].x']);
  });
  it('survives garbage lines', () => {
    expect(scanTomlItems('[unclosed\n= 3\n"open = 1\n[ok]\n').map((i) => i.path)).toEqual([['ok']]);
  });
});

describe('parseTomlStrict', () => {
  it('parses valid TOML and indexes it', () => {
    const r = parseTomlStrict('[a]\nb = 1\n');
    expect(r.ok && r.value).toEqual({ a: { b: 1 } });
    expect(r.ok && lineOf(r.items, ['a', 'b', 'c'])).toBe(2);
  });
  it('names both lines of a duplicate table, whatever the quoting', () => {
    const p = problem(`[plugins."io.containerd.grpc.v1.cri"]\n  x = 1\n\n[plugins.'io.containerd.grpc.v1.cri']\n  y = 2\n`);
    expect(p.message).toBe('table [plugins."io.containerd.grpc.v1.cri"] is defined twice: lines 1 and 4');
    expect(p).toMatchObject({ line: 4, firstLine: 1 });
  });
  it('counts lines the same in a CRLF file', () => {
    expect(problem('version = 2\r\n[grpc]\r\n  uid = 0\r\n[grpc]\r\n').message).toBe('table [grpc] is defined twice: lines 2 and 4');
  });
  it('names both lines of a duplicate key', () => {
    expect(problem('[a]\nx = 1\n\nx = 2\n').message).toBe('key a.x is defined twice: lines 2 and 4');
  });
  it('explains a table that extends a value', () => {
    expect(problem('a = 1\n[a.b]\n').message).toBe('table [a.b] on line 2 extends key a, which line 1 already set to a value');
  });
  it('falls back to the position for other errors', () => {
    expect(problem('x = \n').message).toMatch(/^line 1, column \d+: invalid value/);
  });
});
