// NET-5.1.x where Cilium is not there to observe: a cluster on another CNI (the real cluster lab runs kube-router)
// has Ready pod-network pods, which once made NET-5.1.4 pass about Cilium endpoints that do not exist. Advisory
// checks that cannot observe what they are about skip saying why; the required ones fail (no agent) or error.
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { evaluateCiliumAgent, evaluateCiliumEndpoints, evaluateCiliumHealth, evaluateHubbleRelay } from '../../src/evaluate/cluster/cilium.ts';
import type { KubeObject } from '../support/fake-apiserver.ts';
import { healthy, scenario } from '../support/fake-apiserver-scenarios.ts';
import { clusterProfile, gatherScenario } from '../support/fake-apiserver-facts.ts';

const profile = clusterProfile();
const name = (p: KubeObject): string => String(p.metadata?.['name']);

let noCilium: ClusterFacts;
let agentElsewhere: ClusterFacts;

beforeAll(async () => {
  // Every Cilium pod gone (agents on all nodes and the relay): a cluster on another CNI.
  noCilium = await gatherScenario(scenario('no Cilium at all', (s) => ({ objects: { ...s.objects, pods: (s.objects['pods'] ?? []).filter((p) => !/^(cilium-|hubble-relay)/.test(name(p))) } })));
  // Cilium runs on the control plane but not on this node; the relay is still deployed.
  agentElsewhere = await gatherScenario(scenario('agent only elsewhere', (s) => ({ objects: { ...s.objects, pods: (s.objects['pods'] ?? []).filter((p) => name(p) !== 'cilium-x7k2p') } })));
});

describe('no Cilium in the cluster', () => {
  test('NET-5.1.4 skips naming the missing agent, though pod-network pods are Ready (it passed here before)', async () => {
    // The same pods are Ready with Cilium present: the pass is the contrast that makes the skip meaningful.
    expect(evaluateCiliumEndpoints(undefined, await gatherScenario(healthy()), profile).status).toBe('pass');
    const v = evaluateCiliumEndpoints(undefined, noCilium, profile);
    expect(v).toMatchObject({ status: 'skip', actual: 'no Cilium agent on this node' });
    expect(v.message).toMatch(/^no Cilium agent on this node, so there are no Cilium endpoints to observe/);
  });
  test('NET-5.1.5 skips: there is no Hubble without Cilium', () => {
    const v = evaluateHubbleRelay(undefined, noCilium, profile);
    expect(v).toMatchObject({ status: 'skip', actual: 'no Cilium in the cluster' });
    expect(v.message).toContain('no Cilium agent runs in kube-system on any node');
  });
  test('NET-5.1.2 (required) fails: the documented CNI is missing', () => {
    expect(evaluateCiliumAgent(undefined, noCilium, profile)).toMatchObject({ status: 'fail', actual: 'no agent pod on this node' });
  });
  test('NET-5.1.3 (required) is an error: nothing to judge, never a pass', () => {
    expect(evaluateCiliumHealth(undefined, noCilium, profile)).toMatchObject({ status: 'error', actual: 'no agent pod on this node' });
  });
});

describe('Cilium in the cluster, not on this node', () => {
  test('NET-5.1.4 skips: this node has no agent to program endpoints', () => {
    expect(evaluateCiliumEndpoints(undefined, agentElsewhere, profile)).toMatchObject({ status: 'skip', actual: 'no Cilium agent on this node' });
  });
  test('NET-5.1.5 still judges the relay (Cilium is installed): pass', () => {
    expect(evaluateHubbleRelay(undefined, agentElsewhere, profile).status).toBe('pass');
  });
  test('NET-5.1.5 without the relay but with Cilium installed: fail', async () => {
    const f = await gatherScenario(scenario('Cilium without relay', (s) => ({ objects: { ...s.objects, pods: (s.objects['pods'] ?? []).filter((p) => !name(p).startsWith('hubble-relay')) } })));
    expect(evaluateHubbleRelay(undefined, f, profile)).toMatchObject({ status: 'fail', actual: 'no Hubble relay' });
  });
});
