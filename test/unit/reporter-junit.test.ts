// The JUnit report: validated against Jenkins' junit-10.xsd with xmllint, and read back with XPath.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJUnit } from '../../reporters/junit.ts';
import type { CheckMeta } from '../../src/run/meta.ts';
import { meta } from '../support/metas.ts';

const xsd = fileURLToPath(new URL('../../fixtures/artifacts/junit/junit-10.xsd', import.meta.url));
const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'nodegate-junit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;

function save(xml: string): string {
  const file = join(dir, `report-${++seq}.xml`);
  writeFileSync(file, xml);
  return file;
}

function validate(file: string): { ok: boolean; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** Evaluates an XPath expression with a real XML parser; string() and count() results only. */
function xpath(file: string, expr: string): string {
  const r = spawnSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xmllint --xpath ${expr}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}


// 2 nodes × 2 areas; run order interleaves areas to prove grouping does not depend on it.
const metas: CheckMeta[] = [
  meta({ id: 'HOST-1.1.1', status: 'pass', expected: 'worker-01', actual: 'worker-01', source: 'hostname' }),
  meta({
    id: 'RT-2.1.2',
    status: 'error',
    area: 'runtime',
    message: 'cannot read /run/containerd/containerd.sock: permission denied',
    actual: 'unknown',
  }),
  meta({
    id: 'HOST-1.2.1',
    status: 'fail',
    threat: 'resource-exhaustion',
    cis: '4.2.1',
    message: 'Swap is on: 2 devices < 0 & active.',
    remediation: 'Run `swapoff -a` & remove swap lines from /etc/fstab',
    expected: 'no active swap',
    actual: '/swap.img 2G ]]> /dev/zram0',
    source: '/proc/swaps',
  }),
  meta({ id: 'HOST-1.1.4', status: 'fail', level: 'advisory', threat: 'runtime-cve', message: 'EOL release.' }),
  meta({ id: 'RT-2.2.1', status: 'pass', area: 'runtime', threat: 'container-escape' }),
  meta({ id: 'HOST-1.3.1', status: 'skip', level: 'advisory', message: 'AppArmor <not> built & absent' }),
  meta({ id: 'HOST-1.1.1', status: 'pass', node: 'worker-02' }),
  meta({ id: 'HOST-1.2.1', status: 'fail', node: 'worker-02', threat: 'resource-exhaustion', message: 'swap on.' }),
  meta({ id: 'RT-2.1.1', status: 'skip', node: 'worker-02', area: 'runtime', message: 'containerd not installed' }),
];

const durationsMs = new Map([
  ['worker-01 HOST-1.1.1', 1.5],
  ['worker-01 HOST-1.2.1', 1234.5678],
]);

const caseXPath = (suite: string, id: string) => `//testsuite[@name="${suite}"]/testcase[starts-with(@name, "${id} ")]`;

describe('renderJUnit', () => {
  it.runIf(!haveXmllint && process.env.CI)('needs xmllint in CI', () => {
    throw new Error('xmllint not found: install libxml2-utils (apt-get install -y libxml2-utils)');
  });

  describe.skipIf(!haveXmllint)(`read back with xmllint${haveXmllint ? '' : ' (skipped: install libxml2-utils to run)'}`, () => {
    const xml = renderJUnit(metas, { timestamp: new Date('2025-03-04T05:06:07.890Z'), durationsMs });
    const file = save(xml);

    it('is valid against junit-10.xsd', () => {
      const r = validate(file);
      expect(r.output).toContain('validates');
      expect(r.ok).toBe(true);
    });

    it('has one suite per node × area, nodes in run order, areas in catalog order', () => {
      expect(xpath(file, 'count(/testsuites/testsuite)')).toBe('4');
      const names = [1, 2, 3, 4].map((i) => xpath(file, `string(/testsuites/testsuite[${i}]/@name)`));
      expect(names).toEqual(['worker-01 host', 'worker-01 runtime', 'worker-02 host', 'worker-02 runtime']);
      const props = (i: number) =>
        `${xpath(file, `string(/testsuites/testsuite[${i}]/properties/property[@name="node"]/@value)`)}/` +
        xpath(file, `string(/testsuites/testsuite[${i}]/properties/property[@name="area"]/@value)`);
      expect(props(2)).toBe('worker-01/runtime');
    });

    it('counts per suite and in total, without attributes the schema rejects', () => {
      const counts = (suite: string) =>
        ['tests', 'failures', 'errors', 'skipped'].map((a) => xpath(file, `string(//testsuite[@name="${suite}"]/@${a})`));
      expect(counts('worker-01 host')).toEqual(['4', '2', '0', '1']);
      expect(counts('worker-01 runtime')).toEqual(['2', '0', '1', '0']);
      expect(counts('worker-02 host')).toEqual(['2', '1', '0', '0']);
      expect(counts('worker-02 runtime')).toEqual(['1', '0', '0', '1']);
      expect(['name', 'tests', 'failures', 'errors'].map((a) => xpath(file, `string(/testsuites/@${a})`))).toEqual([
        'nodegate',
        '9',
        '3',
        '1',
      ]);
      expect(xpath(file, 'count(/testsuites/@skipped)')).toBe('0');
    });

    it('names test cases "ID title" with classname nodegate.<area>.<threat>, in run order', () => {
      const suite = '//testsuite[@name="worker-01 host"]';
      const names = [1, 2, 3, 4].map((i) => xpath(file, `string(${suite}/testcase[${i}]/@name)`));
      expect(names).toEqual([
        'HOST-1.1.1 title of HOST-1.1.1',
        'HOST-1.2.1 title of HOST-1.2.1',
        'HOST-1.1.4 title of HOST-1.1.4',
        'HOST-1.3.1 title of HOST-1.3.1',
      ]);
      expect(xpath(file, `string(${caseXPath('worker-01 host', 'HOST-1.2.1')}/@classname)`)).toBe(
        'nodegate.host.resource-exhaustion',
      );
    });

    it('carries every check property as [[PROPERTY|name=value]] in the case system-out', () => {
      const out = xpath(file, `string(${caseXPath('worker-01 host', 'HOST-1.2.1')}/system-out)`);
      const props = Object.fromEntries(
        out.split('\n').map((l) => {
          const m = /^\[\[PROPERTY\|([a-z]+)=(.*)\]\]$/.exec(l);
          if (!m) throw new Error(`not a property line: ${l}`);
          return [m[1], m[2]];
        }),
      );
      expect(props).toEqual({
        id: 'HOST-1.2.1',
        threat: 'resource-exhaustion',
        level: 'required',
        cis: '4.2.1',
        node: 'worker-01',
        source: '/proc/swaps',
        expected: 'no active swap',
        actual: '/swap.img 2G ] ]> /dev/zram0',
      });
    });

    it('fails with what is wrong plus the remediation, escaping < and & on the wire', () => {
      const failure = `${caseXPath('worker-01 host', 'HOST-1.2.1')}/failure`;
      expect(xpath(file, `string(${failure}/@message)`)).toBe(
        'Swap is on: 2 devices < 0 & active. Remediation: Run `swapoff -a` & remove swap lines from /etc/fstab',
      );
      expect(xpath(file, `string(${failure}/@type)`)).toBe('required');
      expect(xml).toContain('message="Swap is on: 2 devices &lt; 0 &amp; active. Remediation: Run `swapoff -a` &amp;');
      expect(xpath(file, `string(${failure})`)).toBe(
        'expected: no active swap\nactual:   /swap.img 2G ]]> /dev/zram0\nsource:   /proc/swaps\n' +
          'fix:      Run `swapoff -a` & remove swap lines from /etc/fstab',
      );
    });

    it('reports advisory failures as failures, typed advisory', () => {
      const c = caseXPath('worker-01 host', 'HOST-1.1.4');
      expect(xpath(file, `string(${c}/failure/@type)`)).toBe('advisory');
      expect(xpath(file, `string(${c}/failure/@message)`)).toBe('EOL release. Remediation: fix for HOST-1.1.4');
    });

    it('reports an unobservable check as <error>, not <failure>', () => {
      const c = caseXPath('worker-01 runtime', 'RT-2.1.2');
      expect(xpath(file, `count(${c}/failure)`)).toBe('0');
      expect(xpath(file, `count(${c}/error)`)).toBe('1');
      expect(xpath(file, `string(${c}/error/@message)`)).toBe(
        'cannot read /run/containerd/containerd.sock: permission denied',
      );
    });

    it('gives skips their reason, and passes nothing but properties', () => {
      const s = caseXPath('worker-01 host', 'HOST-1.3.1');
      expect(xpath(file, `string(${s}/skipped/@message)`)).toBe('AppArmor <not> built & absent');
      expect(xpath(file, `string(${caseXPath('worker-02 runtime', 'RT-2.1.1')}/skipped/@message)`)).toBe(
        'containerd not installed',
      );
      const p = caseXPath('worker-01 host', 'HOST-1.1.1');
      expect(xpath(file, `count(${p}/*)`)).toBe('1');
      expect(xpath(file, `count(${p}/system-out)`)).toBe('1');
    });

    it('writes durations in seconds and the timestamp in UTC', () => {
      expect(xpath(file, `string(${caseXPath('worker-01 host', 'HOST-1.2.1')}/@time)`)).toBe('1.235');
      expect(xpath(file, `string(${caseXPath('worker-01 host', 'HOST-1.1.1')}/@time)`)).toBe('0.002');
      expect(xpath(file, 'string(//testsuite[@name="worker-01 host"]/@time)')).toBe('1.236');
      expect(xpath(file, 'string(//testsuite[@name="worker-01 host"]/@timestamp)')).toBe('2025-03-04T05:06:07Z');
      expect(xpath(file, 'string(/testsuites/@time)')).toBe('1.236');
    });

    it('drops control characters XML cannot carry and stays valid', () => {
      const noisy = meta({ id: 'HOST-9', status: 'fail', message: 'colored \u001b[31mred\u001b[0m \u0000end' });
      const f = save(renderJUnit([noisy]));
      expect(validate(f).ok).toBe(true);
      expect(xpath(f, 'string(//failure/@message)')).toBe('colored [31mred[0m end Remediation: fix for HOST-9');
    });

    it('renders an empty, valid report when no checks ran', () => {
      const f = save(renderJUnit([]));
      expect(validate(f).ok).toBe(true);
      expect(xpath(f, 'string(/testsuites/@tests)')).toBe('0');
    });

    it('can put properties inside <testcase> instead, which junit-10.xsd rejects (why it is not the default)', () => {
      const f = save(renderJUnit(metas, { checkProperties: 'element' }));
      const c = caseXPath('worker-01 host', 'HOST-1.2.1');
      expect(xpath(f, `count(${c}/properties/property)`)).toBe('8');
      expect(xpath(f, `string(${c}/properties/property[@name="cis"]/@value)`)).toBe('4.2.1');
      expect(xpath(f, `count(${c}/system-out)`)).toBe('0');
      const r = validate(f);
      expect(r.ok).toBe(false);
      expect(r.output).toContain("Element 'properties': This element is not expected");
    });
  });
});
