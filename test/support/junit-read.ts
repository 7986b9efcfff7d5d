// Reads nodegate's JUnit back into verdicts per node and check ID, so end-to-end tests assert on the real report.
import { XMLParser } from 'fast-xml-parser';

export type JUnitStatus = 'pass' | 'fail' | 'error' | 'skip';

export interface JUnitCase {
  readonly suite: string;
  readonly id: string;
  readonly name: string;
  readonly status: JUnitStatus;
  readonly message: string;
}

/** The XML parser both readers use; numeric character references (the writer's `&#xA;` for a newline) decoded. */
const parser = (): XMLParser => new XMLParser({ ignoreAttributes: false, htmlEntities: true, isArray: (name) => name === 'testsuite' || name === 'testcase' });

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface RawCase {
  '@_name': string;
  failure?: { '@_message'?: string };
  error?: { '@_message'?: string };
  skipped?: { '@_message'?: string } | '';
}
interface RawSuite {
  '@_name': string;
  testcase?: RawCase | RawCase[];
}

export function readJUnit(xml: string): JUnitCase[] {
  const doc = parser().parse(xml) as {
    testsuites?: { testsuite?: RawSuite[] };
  };
  return asList(doc.testsuites?.testsuite).flatMap((suite) =>
    asList(suite.testcase).map((c): JUnitCase => {
      const status: JUnitStatus = c.failure !== undefined ? 'fail' : c.error !== undefined ? 'error' : c.skipped !== undefined ? 'skip' : 'pass';
      const message = c.failure?.['@_message'] ?? c.error?.['@_message'] ?? (typeof c.skipped === 'object' ? (c.skipped['@_message'] ?? '') : '');
      return { suite: suite['@_name'], id: c['@_name'].split(' ')[0] ?? '', name: c['@_name'], status, message };
    }),
  );
}

/** nodegate's `[[PROPERTY|name=value]]` lines (--junit-properties system-out, the default), per check ID. */
export function readJUnitProperties(xml: string): Map<string, Record<string, string>> {
  const doc = parser().parse(xml) as {
    testsuites?: { testsuite?: { testcase?: { '@_name': string; 'system-out'?: string }[] }[] };
  };
  const out = new Map<string, Record<string, string>>();
  for (const suite of doc.testsuites?.testsuite ?? []) {
    for (const c of suite.testcase ?? []) {
      const record: Record<string, string> = {};
      for (const m of String(c['system-out'] ?? '').matchAll(/^\[\[PROPERTY\|([^=]+)=(.*)\]\]$/gm)) record[m[1] ?? ''] = m[2] ?? '';
      out.set(c['@_name'].split(' ')[0] ?? '', record);
    }
  }
  return out;
}
