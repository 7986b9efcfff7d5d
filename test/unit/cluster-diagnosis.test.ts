// The diagnosis attached to the guide's failure modes (kubelet, containerd or CNI down, pressure): KUBELET-3.1.4,
// NET-5.1.1 and RES-6.3.1 failing carry journal lines read through the node's target, or say why they could not.
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts, Condition, NodeObject } from '../../src/cluster/types.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { blames, journalExcerpt } from '../../src/evaluate/cluster/diagnosis.ts';
import { evaluateNetworkAvailable, evaluateNodeReady, evaluateNoPressure } from '../../src/evaluate/cluster/node-status.ts';
import { compliantFacts, drift, notFound, ran } from '../support/facts.ts';
import { healthy, scenario } from '../support/fake-apiserver-scenarios.ts';
import { clusterProfile, gatherScenario, withFacts } from '../support/fake-apiserver-facts.ts';

const profile = clusterProfile();
let ok: ClusterFacts;

beforeAll(async () => {
  ok = await gatherScenario(healthy());
});

const withNode = (change: (n: NodeObject) => NodeObject): ClusterFacts =>
  withFacts(ok, (f) => {
    if (f.nodeObject.ok) f.nodeObject = { ...f.nodeObject, value: change(f.nodeObject.value) };
  });
const setCondition = (c: Condition) => withNode((n) => ({ ...n, conditions: [...n.conditions.filter((x) => x.type !== c.type), c] }));

const j = (unit: string, pid: number, text: string, t = '05:12:01'): string => `2026-11-30T${t}+0000 worker-01 ${unit}[${pid}]: ${text}`;
// Lines in the shape `journalctl -o short-iso` prints them, with messages the kubelet and containerd really log:
// kubernetes/kubernetes pkg/kubelet/kubelet.go ("Container runtime network not ready", "Skipping pod synchronization"),
// pkg/kubelet/eviction/eviction_manager.go ("Eviction manager: attempting to reclaim", "pods evicted, waiting for pod
// to be cleaned up"); containerd internal/cri/server/service.go ("failed to load cni during init").
const kubeletNetJournal = [
  j('kubelet', 812, 'I1130 05:12:00.000001     812 kubelet.go:2347] "Skipping pod synchronization" err="container runtime network not ready"', '05:12:00'),
  j('kubelet', 812, 'E1130 05:12:01.123456     812 kubelet.go:3002] "Container runtime network not ready" networkReady="NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"'),
].join('\n');
const containerdJournal = [
  j('containerd', 611, 'time="2026-11-30T05:11:50Z" level=info msg="starting containerd" revision= version=1.7.24', '05:11:50'),
  j('containerd', 611, 'time="2026-11-30T05:11:51Z" level=error msg="failed to load cni during init, please check CRI plugin status before setting up network for pods" error="cni config load failed: no network config found in /etc/cni/net.d: cni plugin not initialized: failed to load cni config"', '05:11:51'),
].join('\n');
const kubeletEvictJournal = [
  j('kubelet', 812, 'I1130 05:20:00.000001     812 kubelet_node_status.go:679] "Recording event message for node" node="worker-01" event="NodeHasInsufficientMemory"', '05:20:00'),
  j('kubelet', 812, 'W1130 05:20:01.000002     812 eviction_manager.go:366] "Eviction manager: attempting to reclaim" resourceName="memory"', '05:20:01'),
  j('kubelet', 812, 'I1130 05:20:02.000003     812 eviction_manager.go:616] "Eviction manager: pod is evicted successfully" pod="default/stress-7f9c"', '05:20:02'),
].join('\n');

const nodeWith = (kubelet: string, containerd = '', oom = ran('-- No entries --\n', 1)): NodeFacts =>
  drift(compliantFacts(), { commands: { 'kubelet-journal': ran(kubelet), 'containerd-journal': ran(containerd), 'kernel-oom-journal': oom } });
// The kernel's own words for an OOM kill in a memory cgroup (mm/oom_kill.c dump_oom_summary / __oom_kill_process).
const kernelOom = [
  '2026-11-30T05:20:03+0000 worker-01 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-4f2a.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice,task_memcg=/kubepods.slice/kubepods-burstable.slice/cri-containerd-4f2a.scope,task=stress,pid=4242,uid=0',
  '2026-11-30T05:20:03+0000 worker-01 kernel: Memory cgroup out of memory: Killed process 4242 (stress) total-vm:1052672kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:2100kB oom_score_adj:999',
].join('\n');

const notReady = (message: string) => setCondition({ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message });

describe('what a NotReady message blames', () => {
  // Messages from kubernetes/kubernetes pkg/kubelet/runtime.go (runtimeErrors, networkErrors) and kubelet.go.
  test.each([
    ['container runtime is down, PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s', true, false],
    ['container runtime status check may not have completed yet', true, false],
    ['container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized', false, true],
    ['[container runtime is down, container runtime network not ready: NetworkReady=false]', true, true],
    ['kubelet is posting ready status', false, false],
  ])('%s', (message, runtime, network) => expect(blames(message)).toEqual({ runtime, network }));
});

describe('KUBELET-3.1.4 NotReady carries the journals', () => {
  test('runtime down, node observed: kubelet and containerd journal lines, no CNI hint', () => {
    const v = evaluateNodeReady(nodeWith(kubeletNetJournal, containerdJournal), notReady('container runtime is down, PLEG is not healthy: pleg was last seen active 3m0s ago'), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('kubelet journal, last 2 lines via test:compliant:\n2026-11-30T05:12:00+0000 worker-01 kubelet[812]: I1130');
    expect(v.message).toContain('containerd journal, last 2 lines via test:compliant:\n2026-11-30T05:11:50+0000 worker-01 containerd[611]');
    expect(v.message).not.toContain('CNI on this node');
  });
  test('CNI not initialized, node observed: the kubelet journal, the Cilium agent and containerd\'s CNI lines', () => {
    const v = evaluateNodeReady(nodeWith(kubeletNetJournal, containerdJournal), notReady('container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized'), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('"Container runtime network not ready" networkReady=');
    expect(v.message).toContain('CNI on this node: Cilium agent: kube-system/cilium-x7k2p Running, Ready (NET-5.1.2; `kubectl -n kube-system logs cilium-x7k2p`).');
    // Only containerd's CNI line, not its start-up banner.
    expect(v.message).toContain('containerd journal, CNI errors (1 of the last 2 lines via test:compliant):\n');
    expect(v.message).toContain('failed to load cni during init');
    expect(v.message).not.toContain('starting containerd');
  });
  test('NotReady without node facts says the journal was not read, and why', () => {
    const v = evaluateNodeReady(undefined, notReady('container runtime is down'), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('(kubelet journal not read: the node itself was not observed in this run (a cluster-only run, or its probe failed; see that node\'s line); run `journalctl -u kubelet` on the node)');
    expect(v.message).toContain('(containerd journal not read: the node itself was not observed');
  });
  test('Ready=Unknown with an empty kubelet journal says so', () => {
    const v = evaluateNodeReady(nodeWith(''), setCondition({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }), profile);
    expect(v.message).toMatch(/`journalctl -u kubelet`\.\n\(the kubelet journal read through test:compliant has no entries\)$/);
  });
  test('journalctl not installed on the node: named', () => {
    const node = drift(compliantFacts(), { commands: { 'kubelet-journal': notFound } });
    const v = evaluateNodeReady(node, notReady('container runtime is down'), profile);
    expect(v.message).toContain('(kubelet journal not read: `journalctl -u kubelet`: journalctl is not installed or not on PATH');
  });
  test('not registered (404) with node facts: the kubelet journal says why it never joined', async () => {
    const f = await gatherScenario(scenario('no node', (s) => ({ objects: { ...s.objects, nodes: [] } })));
    const v = evaluateNodeReady(nodeWith(j('kubelet', 812, 'E1130 05:00:00.1     812 kubelet_node_status.go:95] "Unable to register node with API server" err="nodes is forbidden"')), f, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('"Unable to register node with API server"');
  });
  test('node facts from another machine are not shown as this Node\'s journal', () => {
    const other = { ...nodeWith(kubeletNetJournal), node: 'worker-02' };
    const v = evaluateNodeReady(other, notReady('container runtime is down'), profile);
    expect(v.message).toContain('(kubelet journal not read: the node facts are for worker-02, not the Node worker-01)');
    expect(v.message).not.toContain('Container runtime network not ready');
  });
  test('Ready passes with no diagnosis attached', () => {
    expect(evaluateNodeReady(nodeWith(kubeletNetJournal), ok, profile)).toMatchObject({ status: 'pass' });
    expect(evaluateNodeReady(nodeWith(kubeletNetJournal), ok, profile).message ?? '').not.toContain('journal');
  });
});

describe('NET-5.1.1 NetworkUnavailable carries the CNI hint', () => {
  const unavailable = () => setCondition({ type: 'NetworkUnavailable', status: 'True', reason: 'NoRouteCreated', message: 'Node created without a route' });
  test('node observed: the agent and containerd\'s CNI lines', () => {
    const v = evaluateNetworkAvailable(nodeWith('', containerdJournal), unavailable(), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('Cilium agent: kube-system/cilium-x7k2p Running, Ready');
    expect(v.message).toContain('no network config found in /etc/cni/net.d');
  });
  test('no agent on this node, containerd journal without CNI lines: both said', () => {
    const noAgent = withFacts(unavailable(), (f) => {
      if (f.systemPods.ok) f.systemPods = { ...f.systemPods, value: f.systemPods.value.filter((p) => p.name !== 'cilium-x7k2p') };
    });
    const v = evaluateNetworkAvailable(nodeWith('', j('containerd', 611, 'level=info msg="starting containerd"')), noAgent, profile);
    expect(v.message).toContain('no Cilium agent pod (kube-system, k8s-app=cilium) runs on worker-01 (NET-5.1.2)');
    expect(v.message).toContain('(the last 1 containerd journal lines read through test:compliant name no CNI errors)');
  });
  test('without node facts: says the containerd journal was not read', () => {
    const v = evaluateNetworkAvailable(undefined, unavailable(), profile);
    expect(v.message).toContain('(containerd journal not read: the node itself was not observed in this run');
  });
});

describe('RES-6.3.1 pressure carries the condition and the eviction lines', () => {
  const memory = () => setCondition({ type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' });
  test('node observed: the eviction manager\'s lines and the kernel\'s OOM kills', () => {
    const v = evaluateNoPressure(nodeWith(kubeletEvictJournal, '', ran(`${kernelOom}\n`)), memory(), profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^MemoryPressure=True \(KubeletHasInsufficientMemory: kubelet has insufficient memory available\)\./);
    expect(v.message).toContain('kubelet journal, eviction, threshold or OOM lines (2 of the last 3 lines via test:compliant):\n');
    expect(v.message).toContain('"Eviction manager: attempting to reclaim" resourceName="memory"');
    expect(v.message).not.toContain('Recording event message');
    expect(v.message).toContain('kernel OOM journal, last 2 lines via test:compliant:\n2026-11-30T05:20:03+0000 worker-01 kernel: oom-kill:constraint=CONSTRAINT_MEMCG');
    expect(v.message).toContain('Memory cgroup out of memory: Killed process 4242 (stress)');
  });
  test('memory pressure and no OOM kill this boot: says so, not "journalctl failed"', () => {
    const v = evaluateNoPressure(nodeWith(kubeletEvictJournal), memory(), profile);
    expect(v.message).toContain('(the kernel OOM journal read through test:compliant has no entries)');
  });
  test('the kernel journal unreadable: journalctl\'s exit and words are named', () => {
    const v = evaluateNoPressure(nodeWith(kubeletEvictJournal, '', ran('', 1, 'Failed to add match \'oom-kill\': Compiled without pattern matching support')), memory(), profile);
    expect(v.message).toContain("(the kernel OOM journal read through test:compliant has no entries; journalctl exited 1: Failed to add match 'oom-kill': Compiled without pattern matching support)");
  });
  test('a probe from before the OOM request: named, not silently missing', () => {
    const old = drift(compliantFacts(), { commands: { 'kubelet-journal': ran(kubeletEvictJournal) } });
    const v = evaluateNoPressure(old, memory(), profile);
    expect(v.message).toContain('(kernel OOM journal not read: the probe did not run `journalctl -k --grep oom-kill` (no "kernel-oom-journal" in the facts))');
  });
  test('disk pressure with no eviction lines: says the journal names none, no OOM note', () => {
    const v = evaluateNoPressure(nodeWith(j('kubelet', 812, 'I1130 05:00:00.1 812 kubelet.go:1] "Started kubelet"')), setCondition({ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }), profile);
    expect(v.message).toContain('(the last 1 kubelet journal lines read through test:compliant name no eviction, threshold or OOM lines)');
    expect(v.message).not.toContain('kernel OOM');
  });
  test('without node facts: the condition and why the journal was not read', () => {
    const v = evaluateNoPressure(undefined, memory(), profile);
    expect(v.message).toContain('kubelet has insufficient memory available');
    expect(v.message).toContain('(kubelet journal not read: the node itself was not observed in this run');
    expect(v.message).toContain('(kernel OOM journal not read: the node itself was not observed in this run (a cluster-only run, or its probe failed; see that node\'s line); run `journalctl -k --grep oom-kill` on the node)');
  });
});

describe('journalExcerpt', () => {
  test('keeps the last 10 lines and drops journalctl\'s own banners', () => {
    const lines = ['-- Logs begin at Mon 2026-11-30 00:00:00 UTC. --', ...Array.from({ length: 14 }, (_, i) => j('kubelet', 812, `line ${i}`))].join('\n');
    const text = journalExcerpt(nodeWith(lines), { node: 'worker-01' }, 'kubelet');
    expect(text.split('\n')).toHaveLength(11);
    expect(text).toContain('line 4');
    expect(text).not.toContain('line 3\n');
    expect(text).not.toContain('Logs begin');
  });
  test('"-- No entries --" is an empty journal', () => {
    expect(journalExcerpt(nodeWith('-- No entries --\n'), { node: 'worker-01' }, 'kubelet')).toBe('(the kubelet journal read through test:compliant has no entries)');
  });
});
