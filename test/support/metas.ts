// Builds CheckMeta records for reporter and outcome tests: defaults for everything a test does not care about.
import type { CheckMeta } from '../../src/run/meta.ts';

export const meta = (over: Partial<CheckMeta> & Pick<CheckMeta, 'id' | 'status'>): CheckMeta => ({
  title: `title of ${over.id}`,
  area: 'host',
  threat: 'availability',
  level: 'required',
  cis: '',
  remediation: `fix for ${over.id}`,
  node: 'worker-01',
  expected: 'expected value',
  actual: 'actual value',
  source: '/proc/x',
  message: '',
  unobservable: false,
  ...over,
});
