// Fail closed, for every cluster-side check at once: a cluster whose every read is refused (401, or 403 on all
// resources) gives error verdicts, never a pass; no cluster at all gives skips with the reason.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { clusterEvaluators } from '../../src/evaluate/cluster/index.ts';
import { noClusterReason } from '../../src/evaluate/cluster/evidence.ts';
import { healthy, scenario } from '../support/fake-apiserver-scenarios.ts';
import { clusterProfile, gatherScenario, nodeWithCapacity } from '../support/fake-apiserver-facts.ts';
import { drift, file } from '../support/facts.ts';

const profile = clusterProfile();
const ids = Object.keys(clusterEvaluators).sort();
let healthyFacts: ClusterFacts;
let forbiddenAll: ClusterFacts;

beforeAll(async () => {
  healthyFacts = await gatherScenario(healthy());
  forbiddenAll = await gatherScenario(
    scenario('everything forbidden', () => ({
      faults: [{ path: /./, status: 403, times: 1_000 }],
    })),
  );
});

describe('fail closed', () => {
  test('every read forbidden: every check is an error whose message is the 403', () => {
    const verdicts = ids.map((id) => [id, clusterEvaluators[id]?.(nodeWithCapacity(), forbiddenAll, profile)] as const);
    for (const [id, v] of verdicts) {
      expect(v?.status, id).toBe('error');
      expect(v?.message, id).toMatch(/^forbidden: /);
    }
  });

  test('no cluster and no node: every check skips, saying no cluster is configured', () => {
    for (const id of ids) {
      const v = clusterEvaluators[id]?.(undefined, undefined, profile);
      expect(v?.status, id).toBe('skip');
      expect(v?.message, id).toContain(noClusterReason);
    }
  });

  test('no cluster but the node observed: the allocatable checks still judge, the rest skip', () => {
    const judged = ids.filter((id) => clusterEvaluators[id]?.(nodeWithCapacity(), undefined, profile).status !== 'skip');
    expect(judged).toEqual(['RES-6.1.1', 'RES-6.1.2', 'RES-6.1.3', 'RES-6.1.4']);
  });

  test('the healthy cluster and the guide\'s node pass every check (the documented state end to end)', () => {
    const profileJson = readFileSync(new URL('../../fixtures/guide/web-app.json', import.meta.url), 'utf8');
    const node = drift(nodeWithCapacity(), { files: { '/var/lib/kubelet/seccomp/profiles/web-app.json': file(profileJson) } });
    const notPassing = ids.map((id) => [id, clusterEvaluators[id]?.(node, healthyFacts, profile)] as const).filter(([, v]) => v?.status !== 'pass');
    expect(notPassing.map(([id, v]) => `${id} ${v?.status ?? ''}: ${v?.message ?? ''}`)).toEqual([]);
    // Without the referenced profile among the node's files, SEC-4.2.6 cannot judge: an error, not a pass.
    expect(clusterEvaluators['SEC-4.2.6']?.(nodeWithCapacity(), healthyFacts, profile).status).toBe('error');
  });
});
