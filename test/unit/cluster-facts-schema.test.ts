// Gathered ClusterFacts survive a JSON round trip through the schema; an edited file is refused naming the field.
import { beforeAll, describe, expect, test } from 'vitest';
import { parseClusterFacts } from '../../src/cluster/facts-schema.ts';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { forbiddenPods, healthy } from '../support/fake-apiserver-scenarios.ts';
import { gatherScenario } from '../support/fake-apiserver-facts.ts';

let ok: ClusterFacts;
let forbidden: ClusterFacts;
beforeAll(async () => {
  ok = await gatherScenario(healthy());
  forbidden = await gatherScenario(forbiddenPods());
});

describe('parseClusterFacts', () => {
  test('gathered facts, with values and with failures, round-trip unchanged', () => {
    for (const f of [ok, forbidden]) expect(parseClusterFacts(JSON.parse(JSON.stringify(f)), 'snap.json')).toEqual({ ok: true, facts: f });
  });
  test('an edited file is refused naming the field', () => {
    const data = JSON.parse(JSON.stringify(ok)) as { podsOnNode: { value: { phase: unknown }[] } };
    const first = data.podsOnNode.value[0];
    if (first) first.phase = 42;
    const r = parseClusterFacts(data, 'snap.json');
    expect(r).toEqual({ ok: false, error: 'snap.json: cluster facts field "podsOnNode.value[0].phase": Invalid input: expected string, received number' });
  });
  test('a read that claims success without a value, or an unknown failure kind, is refused', () => {
    const noValue = { ...JSON.parse(JSON.stringify(ok)), version: { ok: true, attempts: 1 } } as unknown;
    expect(parseClusterFacts(noValue, 's').ok).toBe(false);
    const badKind = { ...JSON.parse(JSON.stringify(forbidden)), podsOnNode: { ok: false, attempts: 1, failure: { kind: 'teapot', request: 'x', message: 'y' } } } as unknown;
    expect(parseClusterFacts(badKind, 's')).toMatchObject({ ok: false, error: expect.stringMatching(/^s: cluster facts field "podsOnNode\.failure\.kind"/) as unknown });
    expect(parseClusterFacts({ format: 'nodegate-cluster/2' }, 's')).toMatchObject({ ok: false, error: expect.stringMatching(/^s: cluster facts field "format"/) as unknown });
  });
});
