// RES-6.1.1–6.1.4 over node facts alone, over the fixture cluster's facts, and with the reservations not applied,
// the API disagreeing, and the Node unreadable.
import { beforeAll, describe, expect, test } from 'vitest';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import { evaluateAllocatableCpu, evaluateAllocatableEphemeral, evaluateAllocatableMemory, evaluateAllocatablePods } from '../../src/evaluate/cluster/allocatable.ts';
import { forbiddenPods, healthy, reservationsNotApplied, scenario } from '../support/fake-apiserver-scenarios.ts';
import { clusterProfile, gatherScenario, meminfo, nodeWithCapacity, withFacts } from '../support/fake-apiserver-facts.ts';
import { drift, file } from '../support/facts.ts';
import { capacityPaths } from '../../src/facts/requirements-capacity.ts';

const profile = clusterProfile();
let ok: ClusterFacts;
let notApplied: ClusterFacts;
let nodeForbidden: ClusterFacts;

beforeAll(async () => {
  ok = await gatherScenario(healthy());
  notApplied = await gatherScenario(reservationsNotApplied());
  nodeForbidden = await gatherScenario(scenario('403 on the node', () => ({ forbidden: ['get nodes'] })));
});

describe('RES-6.1.1 allocatable memory', () => {
  test('no cluster: computed from MemTotal and the kubelet\'s settings, within the profile\'s ≈14Gi', () => {
    const v = evaluateAllocatableMemory(nodeWithCapacity(), undefined, profile);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('16384Mi − 1Gi − 512Mi − 500Mi = 14348Mi (≈14.0Gi), profile wants ≈14Gi ± 0.5Gi. (capacity − systemReserved − kubeReserved − evictionHard memory.available − hugepages)');
    expect(v.source).toBe('/proc/meminfo MemTotal; kubelet settings from file:/var/lib/kubelet/config.yaml');
  });

  test('with the cluster: the API\'s allocatable agrees with the sum (capacity from the Node, settings from /configz)', () => {
    const v = evaluateAllocatableMemory(nodeWithCapacity(), ok, profile);
    expect(v.status).toBe('pass');
    expect(v.actual).toBe('16384Mi − 1Gi − 512Mi − 500Mi = 14348Mi (≈14.0Gi); the API reports 14692352Ki');
    expect(v.source).toBe('Node worker-01 status.capacity.memory (16777216Ki); kubelet settings from configz');
  });

  test('cluster only (node not observed): /configz supplies the settings', () => {
    expect(evaluateAllocatableMemory(undefined, ok, profile)).toMatchObject({ status: 'pass', source: 'Node worker-01 status.capacity.memory (16777216Ki); kubelet settings from configz' });
  });

  test('reservations not applied: fails, showing the arithmetic and what the profile would leave', () => {
    const v = evaluateAllocatableMemory(nodeWithCapacity(), notApplied, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toBe(
      '16384Mi − 0 − 0 − 100Mi = 16284Mi (≈15.9Gi), profile wants ≈14Gi ± 0.5Gi. With the profile\'s reservations it would be 16384Mi − 1Gi − 512Mi − 500Mi = 14348Mi (≈14.0Gi): the kubelet reserves less than documented (see KUBELET-3.4.1–3.4.3); 16284Mi is not within 0.5Gi of the profile\'s ≈14Gi.',
    );
  });

  test('the API disagrees with the settings (kubelet not restarted): fails naming both', () => {
    const stale = withFacts(ok, (f) => {
      if (f.nodeObject.ok) f.nodeObject = { ...f.nodeObject, value: { ...f.nodeObject.value, allocatable: { ...f.nodeObject.value.allocatable, memory: '16777216Ki' } } };
    });
    const v = evaluateAllocatableMemory(nodeWithCapacity(), stale, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('16384Mi − 1Gi − 512Mi − 500Mi = 14348Mi (≈14.0Gi), profile wants ≈14Gi ± 0.5Gi. The API reports allocatable 16777216Ki (16Gi), not the 14348Mi the kubelet\'s settings give: the running kubelet does not apply them (restart it, see KUBELET-3.4.x and the /configz layer).');
  });

  test('a 2 GiB node with the guide\'s reservations is outside the 16 GB target: fails; with the target off it passes', () => {
    const small = drift(nodeWithCapacity(), { files: { [capacityPaths.meminfo]: file(meminfo(2 * 1024 * 1024)) } });
    const v = evaluateAllocatableMemory(small, undefined, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^2048Mi − 1Gi − 512Mi − 500Mi = 12Mi, profile wants ≈14Gi ± 0\.5Gi\. 12Mi is not within 0\.5Gi of the profile's ≈14Gi\.$/);
    const noTarget = { ...profile, cluster: { ...profile.cluster, allocatable: { ...profile.cluster.allocatable, memory: null } } };
    expect(evaluateAllocatableMemory(small, undefined, noTarget).status).toBe('pass');
  });

  test('hugepages come off allocatable memory too (the kubelet subtracts them)', () => {
    const huge = drift(nodeWithCapacity(), { files: { [capacityPaths.meminfo]: file(meminfo(16_777_216, 512)) } });
    const v = evaluateAllocatableMemory(huge, undefined, profile);
    expect(v.message).toMatch(/^16384Mi − 1Gi − 512Mi − 500Mi − 1Gi = 13324Mi/);
  });

  test('the Node cannot be read (403): error, never a pass on the node-side sum', () => {
    const v = evaluateAllocatableMemory(nodeWithCapacity(), nodeForbidden, profile);
    expect(v.status).toBe('error');
    expect(v.message).toMatch(/^forbidden: get nodes \(core\) worker-01 at cluster scope — grant it with deploy\/rbac\.yaml/);
  });

  test('no capacity evidence and no cluster: error naming what was not gathered', () => {
    const v = evaluateAllocatableMemory(drift(nodeWithCapacity(), { files: { [capacityPaths.meminfo]: { state: 'unreadable', error: 'Permission denied' } } }), undefined, profile);
    expect(v).toMatchObject({ status: 'error', message: 'memory capacity unknown: /proc/meminfo is unreadable: Permission denied' });
  });

  test('neither node nor cluster: skipped with the reason', () => {
    expect(evaluateAllocatableMemory(undefined, undefined, profile).status).toBe('skip');
  });
});

describe('RES-6.1.2 allocatable cpu', () => {
  test('4 − 500m − 200m = 3300m, with and without the cluster', () => {
    const v = evaluateAllocatableCpu(nodeWithCapacity(), undefined, profile);
    expect(v).toMatchObject({ status: 'pass', message: '4 − 500m − 200m = 3300m, profile wants ≈3300m ± 0. (capacity − systemReserved − kubeReserved)' });
    expect(evaluateAllocatableCpu(nodeWithCapacity(), ok, profile)).toMatchObject({ status: 'pass', actual: '4 − 500m − 200m = 3300m; the API reports 3300m' });
  });
  test('reservations not applied: 4 − 0 − 0 = 4 fails', () => {
    const v = evaluateAllocatableCpu(nodeWithCapacity(), notApplied, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toMatch(/^4 − 0 − 0 = 4, profile wants ≈3300m ± 0\. With the profile's reservations it would be 4 − 500m − 200m = 3300m/);
  });
  test('the Node cannot be read: error', () => {
    expect(evaluateAllocatableCpu(nodeWithCapacity(), nodeForbidden, profile).status).toBe('error');
  });
});

describe('RES-6.1.3 allocatable ephemeral storage', () => {
  test('capacity − 1Gi − 1Gi − 10% of capacity (float32, as the kubelet), equal to the API\'s', () => {
    const v = evaluateAllocatableEphemeral(nodeWithCapacity(), ok, profile);
    expect(v.status).toBe('pass');
    expect(v.actual).toBe('102626232Ki − 1Gi − 1Gi − 10% (10508926313) = 92432851607 (≈86.1Gi); the API reports 92432851607');
    expect(evaluateAllocatableEphemeral(nodeWithCapacity(), undefined, profile)).toMatchObject({ status: 'pass', source: 'statfs /var/lib/kubelet; kubelet settings from file:/var/lib/kubelet/config.yaml' });
  });
  test('reservations not applied: fails', () => {
    const v = evaluateAllocatableEphemeral(nodeWithCapacity(), notApplied, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('102626232Ki − 0 − 0 − 10% (10508926313) = 94580335255');
  });
  test('the statfs probe did not run: error', () => {
    const v = evaluateAllocatableEphemeral(drift(nodeWithCapacity(), { commands: { 'kubelet-rootfs-statfs': { state: 'not-found', stderr: 'stat: not found' } } }), undefined, profile);
    expect(v).toMatchObject({ status: 'error' });
    expect(v.message).toMatch(/^ephemeral-storage capacity unknown: `stat -f -c '%S %b' \/var\/lib\/kubelet` failed: command not found/);
  });
});

describe('RES-6.1.4 allocatable pods', () => {
  test('110 = maxPods = the profile\'s', () => {
    expect(evaluateAllocatablePods(nodeWithCapacity(), ok, profile)).toMatchObject({ status: 'pass', actual: 'maxPods 110; the API reports 110' });
    expect(evaluateAllocatablePods(nodeWithCapacity(), undefined, profile)).toMatchObject({ status: 'pass', actual: 'maxPods 110' });
  });
  test('a kubelet running with maxPods 250: fails naming both numbers', () => {
    const more = withFacts(ok, (f) => {
      if (f.configz.ok) f.configz = { ...f.configz, value: { kubeletconfig: { ...(f.configz.value['kubeletconfig'] as object), maxPods: 250 } } };
    });
    const v = evaluateAllocatablePods(nodeWithCapacity(), more, profile);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('the kubelet\'s maxPods is 250, the profile\'s 110 (KUBELET-3.4.5); the API reports 110 allocatable pods, not the kubelet\'s maxPods 250: the running kubelet does not use its configuration.');
  });
  test('forbidden reads: error', () => {
    expect(evaluateAllocatablePods(nodeWithCapacity(), nodeForbidden, profile).status).toBe('error');
  });
});

test('a 403 elsewhere (pods) does not stop the allocatable checks', async () => {
  const f = await gatherScenario(forbiddenPods());
  expect(evaluateAllocatableMemory(nodeWithCapacity(), f, profile).status).toBe('pass');
});
