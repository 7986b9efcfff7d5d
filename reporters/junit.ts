// JUnit XML for CI gates: one suite per node × area, valid against Jenkins' junit-10.xsd that CI parsers accept.
import { createRequire } from 'node:module';
import type { Builder, TestSuite } from 'junit-report-builder';
import xmlbuilder from 'xmlbuilder';
import type { XMLElement, XMLNode } from 'xmlbuilder';
import { areas } from '../src/catalog/index.ts';
import type { Area } from '../src/catalog/index.ts';
import type { CheckMeta } from '../src/run/meta.ts';
import { checkKey } from './collect.ts';

// The package is CommonJS whose typings claim an ESM default export; require() gives the builder the
// typings describe, under Node and Vitest alike.
const builder = createRequire(import.meta.url)('junit-report-builder') as Builder;

/**
 * Where each check's properties (id, threat, level, cis, node, source, expected, actual) go.
 * - `system-out` (default): `[[PROPERTY|name=value]]` lines in the testcase's `<system-out>`, the
 *   convention Testmo and others read; the only place junit-10.xsd allows per-testcase data, so Jenkins'
 *   xUnit plugin (which validates against that schema) accepts the file.
 * - `element`: a `<properties>` block inside each `<testcase>`, as pytest and Testmo write it. Richer for
 *   tools that read it, but NOT valid against junit-10.xsd.
 */
export type CheckPropertiesMode = 'system-out' | 'element';

export interface JUnitOptions {
  /** When the run started; written on every suite. */
  readonly timestamp?: Date;
  /** Test durations keyed by checkKey(meta). */
  readonly durationsMs?: ReadonlyMap<string, number>;
  readonly checkProperties?: CheckPropertiesMode;
}

interface SuiteGroup {
  readonly node: string;
  readonly area: Area;
  readonly metas: CheckMeta[];
}

/** Suites in the order nodes first appear in the run, areas in catalog order within a node. */
function groupSuites(metas: readonly CheckMeta[]): SuiteGroup[] {
  const byNode = new Map<string, Map<Area, CheckMeta[]>>();
  for (const m of metas) {
    let perArea = byNode.get(m.node);
    if (!perArea) byNode.set(m.node, (perArea = new Map()));
    const list = perArea.get(m.area);
    if (list) list.push(m);
    else perArea.set(m.area, [m]);
  }
  const groups: SuiteGroup[] = [];
  for (const [node, perArea] of byNode) {
    for (const area of areas) {
      const list = perArea.get(area);
      if (list) groups.push({ node, area, metas: list });
    }
  }
  return groups;
}

function checkProperties(m: CheckMeta): [string, string][] {
  return [
    ['id', m.id],
    ['threat', m.threat],
    ['level', m.level],
    ['cis', m.cis],
    ['node', m.node],
    ['source', m.source],
    ['expected', m.expected],
    ['actual', m.actual],
  ];
}

/** One property per line; line breaks and the closing marker would end the convention's record early. */
function propertyLine(name: string, value: string): string {
  const flat = value.replace(/\r?\n/g, ' ').replaceAll(']]', '] ]');
  return `[[PROPERTY|${name}=${flat}]]`;
}

/** The failure message: what is wrong, then what to do about it, so a CI annotation alone is actionable. */
export function failureMessage(m: CheckMeta): string {
  const what = m.message || `expected ${m.expected}, found ${m.actual}.`;
  return `${what} Remediation: ${m.remediation}`;
}

export function errorMessage(m: CheckMeta): string {
  return m.message || `could not observe ${m.source || 'the evidence'}`;
}

function evidenceText(m: CheckMeta, withFix: boolean): string {
  const lines = [`expected: ${m.expected}`, `actual:   ${m.actual}`, `source:   ${m.source}`];
  if (withFix) lines.push(`fix:      ${m.remediation}`);
  return lines.join('\n');
}

const seconds = (ms: number): number => Number((ms / 1000).toFixed(3));

function addCase(suite: TestSuite, m: CheckMeta, opts: JUnitOptions): void {
  const tc = suite.testCase().className(`nodegate.${m.area}.${m.threat}`).name(`${m.id} ${m.title}`);
  const ms = opts.durationsMs?.get(checkKey(m));
  if (ms !== undefined) tc.time(seconds(ms));
  if (opts.checkProperties === 'element') {
    for (const [k, v] of checkProperties(m)) tc.property(k, v);
  }
  // The type attribute carries the level so parsers that show only the element still tell gating apart.
  if (m.status === 'fail') tc.failure(failureMessage(m), m.level);
  else if (m.status === 'error') tc.error(errorMessage(m), m.level);
  else if (m.status === 'skip') tc.skipped();
}

function childElements(el: XMLElement, name: string): XMLElement[] {
  return el.children.filter((c: XMLNode): c is XMLElement => 'name' in c && c.name === name);
}

/**
 * Adds what junit-report-builder cannot express: the skip reason, the evidence as element text, and the
 * per-check system-out. Text nodes (not CDATA) because xmlbuilder only splits the first `]]>` of a CDATA.
 */
function completeCase(el: XMLElement, m: CheckMeta, opts: JUnitOptions): void {
  if (m.status === 'skip') {
    for (const s of childElements(el, 'skipped')) s.att('message', m.message || 'skipped');
  }
  if (m.status === 'fail') {
    for (const f of childElements(el, 'failure')) f.txt(evidenceText(m, true));
  }
  if (m.status === 'error') {
    for (const e of childElements(el, 'error')) e.txt(evidenceText(m, false));
  }
  if (opts.checkProperties !== 'element') {
    el.ele('system-out').txt(checkProperties(m).map(([k, v]) => propertyLine(k, v)).join('\n'));
  }
}

export function renderJUnit(metas: readonly CheckMeta[], opts: JUnitOptions = {}): string {
  // invalidCharReplacement drops control characters (ANSI escapes from node output) that XML 1.0 forbids.
  const root = xmlbuilder.create('testsuites', { encoding: 'UTF-8', invalidCharReplacement: '' });
  // A private builder serves as the suite factory; its own document (whose <testsuites> carries a
  // "skipped" attribute junit-10.xsd rejects) is never rendered.
  const factory = builder.newBuilder();
  const timestamp = opts.timestamp?.toISOString().replace(/\.\d{3}Z$/, 'Z');

  let failures = 0;
  let errors = 0;
  let totalMs = 0;
  for (const group of groupSuites(metas)) {
    const suite = factory.testSuite().name(`${group.node} ${group.area}`);
    suite.property('node', group.node).property('area', group.area);
    if (timestamp) suite.timestamp(timestamp);
    let suiteMs = 0;
    for (const m of group.metas) {
      addCase(suite, m, opts);
      suiteMs += opts.durationsMs?.get(checkKey(m)) ?? 0;
    }
    if (opts.durationsMs) suite.time(seconds(suiteMs));
    totalMs += suiteMs;
    failures += suite.getFailureCount();
    errors += suite.getErrorCount();

    const suiteEl = suite.build(root);
    childElements(suiteEl, 'testcase').forEach((caseEl, i) => {
      const m = group.metas[i];
      if (m) completeCase(caseEl, m, opts);
    });
  }

  root.att('name', 'nodegate');
  root.att('tests', metas.length);
  root.att('failures', failures);
  root.att('errors', errors);
  if (opts.durationsMs) root.att('time', seconds(totalMs));
  return `${root.end({ pretty: true })}\n`;
}
