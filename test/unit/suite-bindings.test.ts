// Every catalog check is bound to an evaluator exactly once, in the suite file of its area and threat row.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.ts';
import type { Evaluator } from '../../src/evaluate/evaluator.ts';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { kubeletEvaluators } from '../../src/evaluate/kubelet/index.ts';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { securityEvaluators } from '../../src/evaluate/security/index.ts';
import { clusterEvaluators } from '../../src/evaluate/cluster/index.ts';
import { liveIds } from '../../src/catalog/index.ts';
import { BindingError, bindRow, check, clusterCheck, liveCheck, pendingCheck } from '../../src/run/bind-checks.ts';
import { evaluateNodeReady } from '../../src/evaluate/cluster/node-status.ts';
import { evaluatePodSecurityLabels } from '../../src/evaluate/cluster/namespaces.ts';
import { noActiveSwap, swapStaysOff } from '../../src/evaluate/host/swap.ts';

const root = new URL('../..', import.meta.url).pathname;
const suitesDir = join(root, 'suites');

interface SuiteFile {
  readonly path: string;
  readonly text: string;
}

interface ParsedBinding {
  readonly kind: 'check' | 'clusterCheck' | 'liveCheck' | 'pendingCheck';
  readonly id: string;
  /** Empty for liveCheck and pendingCheck, which bind no evaluator. */
  readonly evaluator: string;
  readonly file: string;
}

function suiteFiles(): SuiteFile[] {
  return readdirSync(suitesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => ({ path: `suites/${f}`, text: readFileSync(join(suitesDir, f), 'utf8') }));
}

// check('ID', evaluator), clusterCheck('ID', evaluator), liveCheck('ID'), pendingCheck('ID', 'reason').
const checkLine = /\b(check|clusterCheck|liveCheck|pendingCheck)\(\s*'([^']+)'\s*(?:,\s*([A-Za-z_$][\w$]*)\s*\)|\)|,\s*')/g;
const declareLine = /\bdeclareChecks\(\s*'([^']+)'\s*,\s*'([^']+)'/g;

/** Reads the bindings as a person reads them: the text of each suite file, one `check(id, evaluator)` per line. */
function parseBindings(files: readonly SuiteFile[]): ParsedBinding[] {
  return files.flatMap((f) =>
    [...f.text.matchAll(checkLine)].map((m) => ({ kind: (m[1] ?? 'check') as ParsedBinding['kind'], id: m[2] ?? '', evaluator: m[3] ?? '', file: f.path })),
  );
}

/** Everything wrong with a set of suite files against the catalog; empty when each ID is bound once, in its row's file. */
function bindingProblems(files: readonly SuiteFile[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const declared = [...f.text.matchAll(declareLine)].map((m) => `suites/${m[1]}/${m[2]}.test.ts`);
    if (declared.length !== 1 || declared[0] !== f.path) problems.push(`${f.path} declares ${declared.join(', ') || 'no row'}`);
  }
  const bindings = parseBindings(files);
  const known = new Set(catalog.map((c) => c.id));
  for (const b of bindings) if (!known.has(b.id)) problems.push(`${b.id} in ${b.file} is not a catalog ID`);
  for (const c of catalog) {
    const home = `suites/${c.area}/${c.threat}.test.ts`;
    const where = bindings.filter((b) => b.id === c.id).map((b) => b.file);
    if (where.length === 0) problems.push(`${c.id} is not bound`);
    if (where.length > 1) problems.push(`${c.id} is bound ${where.length} times (${where.join(', ')})`);
    for (const w of where) if (w !== home) problems.push(`${c.id} is bound in ${w}, its row is ${home}`);
  }
  return problems;
}

describe('suite files bind the catalog', () => {
  const files = suiteFiles();

  it('find one suite file per area and threat row of the catalog', () => {
    const rows = [...new Set(catalog.map((c) => `suites/${c.area}/${c.threat}.test.ts`))].sort();
    expect(files.map((f) => f.path)).toEqual(rows);
  });

  it('bind every catalog ID exactly once, in the file of its area and threat row', () => {
    expect(parseBindings(files)).toHaveLength(catalog.length);
    expect(bindingProblems(files)).toEqual([]);
  });

  // The parse above is what proves the suites right, so it must be able to see each kind of mistake.
  it('would report an ID bound twice, missing, in the wrong file, or not in the catalog', () => {
    const swap = files.find((f) => f.path === 'suites/host/resource-exhaustion.test.ts');
    const traffic = files.find((f) => f.path === 'suites/host/network-traffic.test.ts');
    if (!swap || !traffic) throw new Error('suites/host/resource-exhaustion.test.ts or network-traffic.test.ts is missing');
    const others = files.filter((f) => f !== swap && f !== traffic);
    const twice = { ...swap, text: swap.text.replace("check('HOST-1.2.1', noActiveSwap),", "check('HOST-1.2.1', noActiveSwap),\n  check('HOST-1.2.1', noActiveSwap),") };
    expect(bindingProblems([...others, traffic, twice])).toEqual(['HOST-1.2.1 is bound 2 times (suites/host/resource-exhaustion.test.ts, suites/host/resource-exhaustion.test.ts)']);
    const missing = { ...swap, text: swap.text.replace("check('HOST-1.2.2', swapStaysOff),", '') };
    expect(bindingProblems([...others, traffic, missing])).toEqual(['HOST-1.2.2 is not bound']);
    const moved = { ...traffic, text: traffic.text.replace(']);', "  check('HOST-1.2.2', swapStaysOff),\n]);") };
    expect(bindingProblems([...others, moved, missing])).toEqual([
      'HOST-1.2.2 is bound in suites/host/network-traffic.test.ts, its row is suites/host/resource-exhaustion.test.ts',
    ]);
    const unknown = { ...swap, text: swap.text.replace(']);', "  check('HOST-9.9.9', swapStaysOff),\n]);") };
    expect(bindingProblems([...others, traffic, unknown])).toEqual(['HOST-9.9.9 in suites/host/resource-exhaustion.test.ts is not a catalog ID']);
    const wrongRow = { ...swap, text: swap.text.replace("'resource-exhaustion'", "'availability'") };
    expect(bindingProblems([...others, traffic, wrongRow])).toEqual([
      'suites/host/resource-exhaustion.test.ts declares suites/host/availability.test.ts',
    ]);
  });

  // The by-ID tables in src/evaluate/*/index.ts remain for unit tests; they must call what the suites call.
  it('agree with the by-ID evaluator tables the unit tests use', async () => {
    const fromSuites = new Map<string, unknown>();
    const liveBound: string[] = [];
    for (const f of files) {
      const imported = new Map<string, Evaluator>();
      for (const m of f.text.matchAll(/^import \{([^}]+)\} from '(\.\.\/\.\.\/src\/evaluate\/[^']+)';$/gm)) {
        const mod: Record<string, unknown> = await import(join(root, dirname(f.path), m[2] ?? ''));
        for (const name of (m[1] ?? '').split(',').map((s) => s.trim())) {
          const fn = mod[name];
          if (typeof fn !== 'function') throw new Error(`${f.path} imports ${name}, which ${m[2]} does not export as a function`);
          imported.set(name, fn as Evaluator);
        }
      }
      for (const b of parseBindings([f])) {
        if (b.kind === 'liveCheck' || b.kind === 'pendingCheck') {
          liveBound.push(b.id);
          continue;
        }
        const fn = imported.get(b.evaluator);
        if (!fn) throw new Error(`${f.path} binds ${b.id} to ${b.evaluator}, which it does not import from src/evaluate`);
        fromSuites.set(b.id, fn);
      }
    }
    const tables: Record<string, unknown> = { ...hostEvaluators, ...runtimeEvaluators, ...kubeletEvaluators, ...securityEvaluators, ...clusterEvaluators };
    expect([...fromSuites.keys()].sort()).toEqual(Object.keys(tables).sort());
    for (const [id, fn] of fromSuites) expect(tables[id], id).toBe(fn);
    // What binds no evaluator is exactly the catalog's live and pending rows.
    expect(liveBound.sort()).toEqual([...liveIds].sort());
  });
});

function bindingErrorOf(run: () => unknown): BindingError {
  try {
    run();
  } catch (e) {
    if (e instanceof BindingError) return e;
    throw e;
  }
  throw new Error('expected a BindingError, nothing was thrown');
}

describe('suite file kinds', () => {
  it('bind each cluster ID with clusterCheck and every check with an evaluator that its kind expects', () => {
    const bindings = parseBindings(suiteFiles());
    const clusterIds = new Set(Object.keys(clusterEvaluators));
    for (const b of bindings) {
      if (clusterIds.has(b.id)) expect(b.kind, b.id).toBe('clusterCheck');
      else if (liveIds.has(b.id)) expect(['liveCheck', 'pendingCheck'], b.id).toContain(b.kind);
      else expect(b.kind, b.id).toBe('check');
    }
  });

  it('covers the network and resources areas and the new hostpath-escalation row', () => {
    const paths = suiteFiles().map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['suites/network/availability.test.ts', 'suites/network/network-traffic.test.ts', 'suites/resources/availability.test.ts', 'suites/resources/resource-exhaustion.test.ts', 'suites/security/hostpath-escalation.test.ts']));
  });
});

describe('bindRow', () => {
  it('keeps how each check is judged: cluster evaluator, live', () => {
    const bound = bindRow('security', 'hostpath-escalation', [liveCheck('SEC-4.3.4'), clusterCheck('SEC-4.3.3', evaluatePodSecurityLabels)]);
    expect(bound.map((b) => [b.check.id, b.judge])).toEqual([
      ['SEC-4.3.3', { id: 'SEC-4.3.3', kind: 'cluster', evaluate: evaluatePodSecurityLabels }],
      ['SEC-4.3.4', { id: 'SEC-4.3.4', kind: 'live' }],
    ]);
  });

  it('refuses a cluster or pending binding of an ID outside its row like any other', () => {
    expect(bindingErrorOf(() => bindRow('security', 'hostpath-escalation', [clusterCheck('SEC-4.3.3', evaluatePodSecurityLabels), liveCheck('SEC-4.3.4'), clusterCheck('KUBELET-3.1.4', evaluateNodeReady)])).problems).toEqual([
      'KUBELET-3.1.4 belongs in suites/kubelet/availability.test.ts',
    ]);
    expect(bindingErrorOf(() => bindRow('security', 'hostpath-escalation', [clusterCheck('SEC-4.3.3', evaluatePodSecurityLabels), pendingCheck('SEC-4.3.4', 'later'), pendingCheck('SEC-4.3.4', 'twice')])).problems).toEqual([
      'SEC-4.3.4 is bound twice',
    ]);
  });

  it('joins a complete row to its catalog declarations, in catalog order', () => {
    const bound = bindRow('host', 'resource-exhaustion', [check('HOST-1.2.2', swapStaysOff), check('HOST-1.2.1', noActiveSwap)]);
    expect(bound.map((b) => [b.check.id, b.check.title, b.judge.kind === 'node' ? b.judge.evaluate : b.judge.kind])).toEqual([
      ['HOST-1.2.1', 'No swap is active', noActiveSwap],
      ['HOST-1.2.2', 'Swap stays off after reboot', swapStaysOff],
    ]);
  });

  it.each([
    ['bound twice', [check('HOST-1.2.1', noActiveSwap), check('HOST-1.2.1', noActiveSwap), check('HOST-1.2.2', swapStaysOff)], 'HOST-1.2.1 is bound twice'],
    ['missing', [check('HOST-1.2.1', noActiveSwap)], 'HOST-1.2.2 is not bound'],
    ['of another row', [check('HOST-1.2.1', noActiveSwap), check('HOST-1.2.2', swapStaysOff), check('HOST-1.1.1', swapStaysOff)], 'HOST-1.1.1 belongs in suites/host/availability.test.ts'],
    ['not in the catalog', [check('HOST-1.2.1', noActiveSwap), check('HOST-1.2.2', swapStaysOff), check('HOST-1.2.3', swapStaysOff)], 'HOST-1.2.3 is not a catalog ID'],
  ])('refuses a row with an ID %s, naming the file and the ID', (_, bindings, problem) => {
    const thrown = bindingErrorOf(() => bindRow('host', 'resource-exhaustion', bindings));
    expect(thrown.problems).toEqual([problem]);
    expect(thrown.message).toContain('suites/host/resource-exhaustion.test.ts');
  });
});
