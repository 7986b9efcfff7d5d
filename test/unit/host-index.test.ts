// The HOST evaluator table matches the catalog, and the documented node passes every HOST check.
import { describe, expect, it } from 'vitest';
import { hostChecks } from '../../src/catalog/host.ts';
import { hostEvaluators } from '../../src/evaluate/host/index.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { compliantFacts } from '../support/facts.ts';

const profile = profileSchema.parse(defaultProfile);

describe('HOST evaluators', () => {
  it('cover exactly the catalog HOST IDs', () => {
    expect(Object.keys(hostEvaluators).sort()).toEqual(hostChecks.map((c) => c.id).sort());
  });
  it.each(Object.keys(hostEvaluators))('%s passes on the compliant node, with evidence', (id) => {
    const v = hostEvaluators[id]?.(compliantFacts(), profile);
    expect(v?.status, v?.message).toBe('pass');
    expect(v?.expected).not.toBe('');
    expect(v?.actual).not.toBe('');
    expect(v?.source).not.toBe('');
  });
  it('are pure: the facts object is not changed', () => {
    const facts = compliantFacts();
    const before = JSON.stringify(facts);
    for (const e of Object.values(hostEvaluators)) e(facts, profile);
    expect(JSON.stringify(facts)).toBe(before);
  });
});
