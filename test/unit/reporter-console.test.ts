// The terminal summary: grouping by node and threat row, evidence under failures, totals and the gate line.
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../reporters/console.ts';
import type { CheckMeta } from '../../src/run/meta.ts';
import { meta } from '../support/metas.ts';


// Run order deliberately differs from the catalog's row order (availability is the last row).
const metas: CheckMeta[] = [
  meta({ id: 'HOST-1.1.1', status: 'pass' }),
  meta({ id: 'HOST-1.2.1', status: 'fail', threat: 'resource-exhaustion', message: 'swap is on', actual: '/swap.img' }),
  meta({ id: 'RT-2.2.1', status: 'pass', area: 'runtime', threat: 'container-escape' }),
  meta({ id: 'HOST-1.1.4', status: 'fail', level: 'advisory', threat: 'runtime-cve', actual: 'debian 10' }),
  meta({ id: 'RT-2.1.2', status: 'error', area: 'runtime', message: 'socket not readable', actual: 'unknown' }),
  meta({ id: 'HOST-1.1.1', status: 'pass', node: 'worker-02' }),
  meta({ id: 'RT-2.1.1', status: 'skip', node: 'worker-02', area: 'runtime', message: 'containerd not installed' }),
];

describe('renderSummary', () => {
  const text = renderSummary(metas, { color: false, strict: false });
  const lines = text.split('\n');

  it('groups per node, then by threat row in catalog order with the row titles', () => {
    const headers = lines.filter((l) => /^\S/.test(l) || /^ {2}\S/.test(l));
    expect(headers.slice(0, 6)).toEqual([
      'worker-01',
      '  Container escape to host',
      '  Pod resource exhaustion (CPU/memory)',
      '  Runtime vulnerability (containerd/runc CVE)',
      '  Node availability: prerequisites and failure modes',
      'worker-02',
    ]);
    // Within a row, checks keep run order.
    const avail = lines.indexOf('  Node availability: prerequisites and failure modes');
    expect(lines[avail + 1]).toBe('    PASS  HOST-1.1.1  title of HOST-1.1.1');
    expect(lines[avail + 2]).toBe('    ERROR RT-2.1.2  title of RT-2.1.2');
  });

  it('prints expected, actual, source and the fix under a failing check', () => {
    const i = lines.indexOf('    FAIL  HOST-1.2.1  title of HOST-1.2.1');
    expect(i).toBeGreaterThan(0);
    expect(lines.slice(i + 1, i + 6).map((l) => l.trim().replace(/\s+/, ' '))).toEqual([
      'problem swap is on',
      'expected expected value',
      'actual /swap.img',
      'source /proc/x',
      'fix fix for HOST-1.2.1',
    ]);
  });

  it('marks advisory checks, explains errors and gives skip reasons', () => {
    expect(lines).toContain('    FAIL  HOST-1.1.4  title of HOST-1.1.4 (advisory)');
    const e = lines.indexOf('    ERROR RT-2.1.2  title of RT-2.1.2');
    expect(lines[e + 1]?.trim()).toBe('why       socket not readable');
    expect(lines.slice(e + 1, e + 6).some((l) => l.includes('fix for RT-2.1.2'))).toBe(true);
    const s = lines.indexOf('    SKIP  RT-2.1.1  title of RT-2.1.1');
    expect(lines[s + 1]?.trim()).toBe('reason    containerd not installed');
  });

  it('does not print evidence under passing checks', () => {
    const p = lines.indexOf('    PASS  RT-2.2.1  title of RT-2.2.1');
    expect(lines[p + 1]).not.toMatch(/expected|actual/);
  });

  it('ends with totals and the gate result', () => {
    expect(lines.at(-3)).toBe('3 passed, 2 failed, 1 errors, 1 skipped');
    expect(lines.at(-2)).toMatch(/^GATE FAILED: 1 required check failed: HOST-1\.2\.1; 1 required check could not/);
    expect(lines.at(-1)).toBe('');
  });

  it('passes the gate when only advisories fail, unless strict', () => {
    const advisoryOnly = metas.filter((m) => m.level === 'advisory' || m.status === 'pass');
    const plain = renderSummary(advisoryOnly, { color: false, strict: false });
    expect(plain).toContain('\nGATE PASSED: all 3 required checks passed; 1 advisory check not passing');
    const strict = renderSummary(advisoryOnly, { color: false, strict: true });
    expect(strict).toContain('\nGATE FAILED: strict: 1 advisory check not passing: HOST-1.1.4');
  });

  it('collapses a node that could not be observed into one line', () => {
    const down = ['HOST-1.1.1', 'HOST-1.2.1', 'RT-2.1.1'].map((id) =>
      meta({ id, status: 'error', node: 'worker-03', unobservable: true, message: 'ssh: connection refused' }),
    );
    const out = renderSummary([...metas, ...down], { color: false, strict: false });
    expect(out).toContain('worker-03\n  UNOBSERVABLE ssh: connection refused\n  3 checks not evaluated\n');
    expect(out).toContain('GATE FAILED: could not observe 1 node: worker-03');
  });

  it('lines up multi-line evidence under its value', () => {
    const out = renderSummary([meta({ id: 'HOST-9', status: 'fail', actual: 'line one\nline two' })], {
      color: false,
      strict: false,
    });
    expect(out).toContain(`actual    line one\n${' '.repeat(22)}line two`);
  });

  it('colors only when asked', () => {
    const esc = '\u001b[';
    expect(text).not.toContain(esc);
    const colored = renderSummary(metas, { color: true, strict: false });
    expect(colored).toContain(`${esc}32mPASS`);
    expect(colored).toContain(`${esc}31m`);
    expect(colored.replace(/\u001b\[[0-9;]*m/g, '')).toBe(text);
  });

  it('reports run errors and an empty run', () => {
    const out = renderSummary([], { color: false, strict: false, runErrors: ['suites/x.test.ts: boom'] });
    expect(out).toBe(
      '0 passed, 0 failed, 0 errors, 0 skipped\nrun error: suites/x.test.ts: boom\n' +
        'GATE FAILED: the audit did not complete, 1 run error (some selected checks never reported): suites/x.test.ts: boom\n',
    );
    // Nothing audited is never a pass.
    expect(renderSummary([], { color: false, strict: false })).toBe(
      '0 passed, 0 failed, 0 errors, 0 skipped\nGATE FAILED: no check reported a verdict: nothing was audited\n',
    );
  });
});
