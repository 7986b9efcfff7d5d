// A clone of the repository is all a test or lab needs: nothing reads the sibling "shared" tree, the catalog the
// code cites is in docs/, and every fixture still has the bytes its PROVENANCE.md records.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.ts';

const root = new URL('../..', import.meta.url).pathname;
// Spelled in parts so that this file does not match its own search.
const outside = ['..', 'shared'].join('/');
const code = ['src', 'test', 'labs', 'scripts', 'bin', 'bench', 'suites', 'reporters', '.ci'];

function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(join(root, f)).isFile());
}

/** The `sha256  path` lines of a PROVENANCE.md's SHA256SUMS block. */
function recordedSums(provenance: string): [string, string][] {
  const block = /## SHA256SUMS\s+```\n([\s\S]*?)```/.exec(readFileSync(join(root, provenance), 'utf8'))?.[1];
  if (!block) throw new Error(`${provenance} has no SHA256SUMS block`);
  return block
    .trim()
    .split('\n')
    .map((line) => {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (!m?.[1] || !m[2]) throw new Error(`${provenance}: not a sha256sum line: ${line}`);
      return [m[2], m[1]];
    });
}

describe('the repository stands alone', () => {
  it(`nothing under ${code.join(', ')} reads ${outside}`, () => {
    const readers = code.flatMap(filesUnder).filter((f) => readFileSync(join(root, f), 'utf8').includes(outside));
    expect(readers).toEqual([]);
  });

  it('docs/catalog.md, which src/catalog cites, declares every check ID in scope', () => {
    const doc = readFileSync(join(root, 'docs/catalog.md'), 'utf8');
    expect(catalog.map((c) => c.id).filter((id) => !new RegExp(`\\b${id.replaceAll('.', '\\.')}\\b`).test(doc))).toEqual([]);
  });

  it.each(['fixtures/guide/PROVENANCE.md', 'fixtures/artifacts/PROVENANCE.md'])('%s records the bytes of every file beside it', (provenance) => {
    const dir = provenance.replace(/\/PROVENANCE\.md$/, '');
    const sums = recordedSums(provenance);
    const listed = new Set(sums.map(([f]) => f));
    const unlisted = filesUnder(dir)
      .map((f) => f.slice(dir.length + 1))
      .filter((f) => f !== 'PROVENANCE.md' && !listed.has(f));
    expect(unlisted).toEqual([]);
    for (const [file, sum] of sums) {
      expect(createHash('sha256').update(readFileSync(join(root, dir, file))).digest('hex'), file).toBe(sum);
    }
  });
});
