// Which verdicts a run owes (selected checks × observed nodes), so a check that never reported is a run error.
import type { TestModule } from 'vitest/node';
import { checksFor, findCheck } from '../src/catalog/index.ts';
import { areas, threatKeys, type Area, type ThreatKey } from '../src/catalog/index.ts';
import { nodeNames } from '../src/run/context.ts';
import type { CheckMeta } from '../src/run/meta.ts';

export interface ExpectedVerdicts {
  readonly nodes: readonly string[];
  readonly ids: readonly string[];
  /** node+ID keys (see ownedKey) the run's own test filter excluded. */
  readonly filteredOut?: readonly string[];
}

const suiteFile = /(?:^|\/)suites\/([a-z]+)\/([a-z-]+)\.test\.ts$/;

function isArea(v: string): v is Area {
  return (areas as readonly string[]).includes(v);
}
function isThreat(v: string): v is ThreatKey {
  return (threatKeys as readonly string[]).includes(v);
}

/**
 * What a plain `vitest run suites/...` owes: the catalog checks of every suite file Vitest was given — loaded or
 * not, a file that failed to import still owes its checks — narrowed by the run's only/skip, on every node the
 * run observes. Undefined when the run carries no nodegate context (not a compliance run).
 */
export function expectedFromModules(modules: ReadonlyArray<TestModule>): ExpectedVerdicts | undefined {
  const context = modules[0]?.project.getProvidedContext().nodegate;
  if (!context) return undefined;
  const ids = new Set<string>();
  for (const mod of modules) {
    const m = suiteFile.exec(mod.relativeModuleId);
    const [area, threat] = [m?.[1] ?? '', m?.[2] ?? ''];
    if (!isArea(area) || !isThreat(threat)) continue;
    for (const c of checksFor(area, threat)) {
      if ((context.only.length === 0 || context.only.includes(c.id)) && !context.skip.includes(c.id)) ids.add(c.id);
    }
  }
  return { nodes: nodeNames(context.observations), ids: [...ids], filteredOut: filteredOut(modules) };
}

/**
 * Checks whose test Vitest itself skipped before it ran (`-t PATTERN`, a test filter): the user left them out,
 * so they are not owed. Keyed by node (the test's describe block) and ID (the first word of its name).
 */
function filteredOut(modules: ReadonlyArray<TestModule>): string[] {
  const keys: string[] = [];
  for (const mod of modules) {
    for (const test of mod.children.allTests()) {
      if (test.meta().nodegate !== undefined || test.result().state !== 'skipped' || test.parent.type !== 'suite') continue;
      keys.push(ownedKey(test.parent.name, test.name.split(' ')[0] ?? ''));
    }
  }
  return keys;
}

const ownedKey = (node: string, id: string): string => `${node}\u0000${id}`;

const MAX_IDS = 6;

/**
 * An error verdict for every owed check that never reported, so JUnit and the console show the hole (a CI that
 * reads only the JUnit file would otherwise see fewer testcases, all green). IDs outside the catalog are skipped:
 * there is nothing to describe them with, and the run error names them anyway.
 */
export function missingMetas(metas: readonly CheckMeta[], expected: ExpectedVerdicts): CheckMeta[] {
  const seen = new Set([...metas.map((m) => ownedKey(m.node, m.id)), ...(expected.filteredOut ?? [])]);
  const out: CheckMeta[] = [];
  for (const node of expected.nodes) {
    for (const id of expected.ids) {
      const check = findCheck(id);
      if (!check || seen.has(ownedKey(node, id))) continue;
      out.push({
        id,
        title: check.title,
        area: check.area,
        threat: check.threat,
        level: check.level,
        cis: check.cis,
        // Not the check's own fix: nothing is known to be wrong with the node, only with the run.
        remediation: 'Rerun the audit; if the check still reports nothing, report it as a nodegate bug (README, "Exit codes").',
        node,
        status: 'error',
        expected: 'a verdict from the check',
        actual: 'none: the check never reported',
        source: 'nodegate run',
        message: 'The check never reported a verdict (its suite file did not load, or its test crashed or never ran): the audit is incomplete.',
        unobservable: false,
      });
    }
  }
  return out;
}

/** One line per node that owes verdicts it never gave: which checks never reported there. */
export function missingVerdicts(metas: readonly CheckMeta[], expected: ExpectedVerdicts): string[] {
  const seen = new Set([...metas.map((m) => ownedKey(m.node, m.id)), ...(expected.filteredOut ?? [])]);
  const lines: string[] = [];
  for (const node of expected.nodes) {
    const missing = expected.ids.filter((id) => !seen.has(ownedKey(node, id)));
    if (missing.length === 0) continue;
    const shown = missing.slice(0, MAX_IDS).join(', ');
    const more = missing.length > MAX_IDS ? ` (+${missing.length - MAX_IDS} more)` : '';
    lines.push(`${node}: ${missing.length} selected check${missing.length === 1 ? '' : 's'} never reported a verdict: ${shown}${more}`);
  }
  return lines;
}
