// KUBELET-3.1.2, KUBELET-3.1.4, NET-5.1.1, RES-6.3.1, RES-6.3.2 over the fixture cluster's facts.
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts, Condition, NodeObject } from '../../src/cluster/types.ts';
import { evaluateKubeletSkew, evaluateNetworkAvailable, evaluateNodeMetrics, evaluateNodeReady, evaluateNoPressure } from '../../src/evaluate/cluster/node-status.ts';
import { healthy, scenario } from '../support/fake-apiserver-scenarios.ts';
import { clusterProfile, gatherScenario, withFacts } from '../support/fake-apiserver-facts.ts';

const profile = clusterProfile();
let ok: ClusterFacts;
let nodeForbidden: ClusterFacts;

beforeAll(async () => {
  ok = await gatherScenario(healthy());
  nodeForbidden = await gatherScenario(scenario('403 on the node', () => ({ forbidden: ['get nodes'] })));
});

/** The healthy facts with the Node changed. */
const withNode = (change: (n: NodeObject) => NodeObject): ClusterFacts =>
  withFacts(ok, (f) => {
    if (f.nodeObject.ok) f.nodeObject = { ...f.nodeObject, value: change(f.nodeObject.value) };
  });
const setCondition = (c: Condition) => withNode((n) => ({ ...n, conditions: [...n.conditions.filter((x) => x.type !== c.type), c] }));

describe('KUBELET-3.1.4 Node registered and Ready', () => {
  test('Ready=True passes', () => expect(evaluateNodeReady(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'Ready=True (KubeletReady: kubelet is posting ready status)' }));
  test('Ready=Unknown fails, pointing at the kubelet', () => {
    const v = evaluateNodeReady(undefined, setCondition({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('the Node is not Ready: Ready=Unknown (NodeStatusUnknown: Kubelet stopped posting node status.). The kubelet stopped posting status (down, or cut off from the API server): `journalctl -u kubelet`.\n(kubelet journal not read: the node itself was not observed in this run (a cluster-only run, or its probe failed; see that node\'s line); run `journalctl -u kubelet` on the node)');
  });
  test('no such Node (404) fails: it never registered', async () => {
    const f = await gatherScenario(scenario('no node', (s) => ({ objects: { ...s.objects, nodes: [] } })));
    const v = evaluateNodeReady(undefined, f, profile);
    expect(v).toMatchObject({ status: 'fail', actual: 'no such Node' });
    expect(v.message).toMatch(/^no Node named worker-01 is registered/);
  });
  test('403 on the Node is an error', () => {
    expect(evaluateNodeReady(undefined, nodeForbidden, profile)).toMatchObject({ status: 'error', message: expect.stringMatching(/^forbidden: get nodes \(core\) worker-01 at cluster scope/) as unknown });
  });
  test('no cluster: skipped', () => expect(evaluateNodeReady(undefined, undefined, profile).status).toBe('skip'));
});

describe('KUBELET-3.1.2 version skew', () => {
  test('kubelet v1.31.4 against API server v1.31.4, profile 1.31: pass', () => {
    expect(evaluateKubeletSkew(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'kubelet v1.31.4, API server v1.31.4' });
  });
  // kubernetes.io/releases/version-skew-policy/#kubelet: "kubelet must not be newer than kube-apiserver, and may be
  // up to three minor versions older".
  test('a kubelet newer than the API server fails', () => {
    const v = evaluateKubeletSkew(undefined, withNode((n) => ({ ...n, kubeletVersion: 'v1.32.0' })), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('the kubelet (1.32) is newer than the API server (1.31): unsupported, upgrade the control plane first; the profile pins 1.31, the kubelet runs 1.32 (held packages drifted, KUBELET-3.1.1).');
  });
  test('four minors behind fails; three behind is within skew (but not the profile\'s minor)', () => {
    const p27 = { ...profile, cluster: { ...profile.cluster, kubernetesMinor: '1.27' } };
    expect(evaluateKubeletSkew(undefined, withNode((n) => ({ ...n, kubeletVersion: 'v1.27.9' })), p27).message).toBe('the kubelet is 4 minors behind the API server, more than the 3 the skew policy allows.');
    const p28 = { ...profile, cluster: { ...profile.cluster, kubernetesMinor: '1.28' } };
    expect(evaluateKubeletSkew(undefined, withNode((n) => ({ ...n, kubeletVersion: 'v1.28.15' })), p28).status).toBe('pass');
  });
  test('/version forbidden: error', async () => {
    const f = withFacts(ok, (m) => {
      m.version = { ok: false, attempts: 1, failure: { kind: 'forbidden', status: 403, request: 'get /version (non-resource URL)', message: 'forbidden: get /version (non-resource URL) — grant it with deploy/rbac.yaml' } };
    });
    expect(evaluateKubeletSkew(undefined, f, profile)).toMatchObject({ status: 'error', message: 'forbidden: get /version (non-resource URL) — grant it with deploy/rbac.yaml' });
  });
});

describe('NET-5.1.1 network available', () => {
  test('NetworkUnavailable=False passes', () => expect(evaluateNetworkAvailable(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'NetworkUnavailable=False (CiliumIsUp: Cilium is running on this node)' }));
  test('NetworkUnavailable=True fails', () => {
    const v = evaluateNetworkAvailable(undefined, setCondition({ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated' }), profile);
    expect(v).toMatchObject({ status: 'fail', message: "the Node's network is unavailable: NetworkUnavailable=True (NoRouteCreated). Pods on it get no network; check the Cilium agent on this node (NET-5.1.2).\nCNI on this node: Cilium agent: kube-system/cilium-x7k2p Running, Ready (NET-5.1.2; `kubectl -n kube-system logs cilium-x7k2p`).\n(containerd journal not read: the node itself was not observed in this run (a cluster-only run, or its probe failed; see that node's line); run `journalctl -u containerd` on the node)" });
  });
  test('403: error', () => expect(evaluateNetworkAvailable(undefined, nodeForbidden, profile).status).toBe('error'));
});

describe('RES-6.3.1 no pressure', () => {
  test('all False passes', () => expect(evaluateNoPressure(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'MemoryPressure=False, DiskPressure=False, PIDPressure=False' }));
  test('DiskPressure=True fails naming it', () => {
    const v = evaluateNoPressure(undefined, setCondition({ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^DiskPressure=True \(KubeletHasDiskPressure: kubelet has disk pressure\)\. Under pressure the kubelet evicts pods/);
  });
  test('a condition not reported: error (unobserved, not a pass)', () => {
    const v = evaluateNoPressure(undefined, withNode((n) => ({ ...n, conditions: n.conditions.filter((c) => c.type !== 'PIDPressure') })), profile);
    expect(v).toMatchObject({ status: 'error', message: 'the kubelet reports no PIDPressure condition, so pressure is unobserved' });
  });
  test('403: error', () => expect(evaluateNoPressure(undefined, nodeForbidden, profile).status).toBe('error'));
  test('Unknown (the kubelet stopped posting, the node controller marked it): error, never a pass or a pressure fail', () => {
    const v = evaluateNoPressure(undefined, setCondition({ type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }), profile);
    expect(v).toMatchObject({ status: 'error', actual: 'MemoryPressure=Unknown, DiskPressure=False, PIDPressure=False' });
    expect(v.message).toBe('MemoryPressure=Unknown (NodeStatusUnknown: Kubelet stopped posting node status.): the kubelet stopped posting status, so pressure is unobserved. KUBELET-3.1.4 says why the kubelet is silent.');
  });
});

describe('RES-6.3.2 node metrics', () => {
  test('usage served: pass', () => expect(evaluateNodeMetrics(undefined, ok, profile)).toMatchObject({ status: 'pass', actual: 'cpu 152345678n, memory 2345678Ki at 2026-11-30T05:00:00Z' }));
  test('metrics-server not installed (404): fail', async () => {
    const { nodeMetrics: _none, ...rest } = healthy();
    const v = evaluateNodeMetrics(undefined, await gatherScenario({ ...rest, name: 'no metrics' }), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^metrics\.k8s\.io has no usage for worker-01: metrics-server is not installed/);
  });
  test('forbidden: error', async () => {
    const f = await gatherScenario(scenario('metrics forbidden', () => ({ faults: [{ path: /metrics\.k8s\.io/, status: 403, times: 9 }] })));
    expect(evaluateNodeMetrics(undefined, f, profile)).toMatchObject({ status: 'error', message: expect.stringMatching(/^forbidden: get nodes \(metrics\.k8s\.io\) worker-01 at cluster scope/) as unknown });
  });
});
