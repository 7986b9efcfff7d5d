// The cluster profile fragment: the guide's values as defaults, and overrides validated naming the field.
import { describe, expect, test } from 'vitest';
import { clusterProfileSchema, defaultClusterProfile } from '../../src/profile/cluster.ts';

describe('cluster profile fragment', () => {
  test('defaults are the catalog\'s "Profile defaults": namespaces, minor 1.31, ≈14Gi ± 0.5Gi, 3.3 CPUs, the guide\'s images', () => {
    expect(defaultClusterProfile()).toEqual({
      workloadNamespaces: ['flask-apps', 'django-app', 'fastapi-app'],
      systemNamespaces: ['kube-system'],
      podSecurityLevels: ['baseline', 'restricted'],
      kubernetesMinor: '1.31',
      kubeletSkewMinors: 3,
      runtimeSocketPaths: ['/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock'],
      allocatable: { memory: '14Gi', memoryTolerance: '0.5Gi', cpu: '3300m', cpuTolerance: '0', apiTolerance: '1%' },
      kubeletRootDir: '/var/lib/kubelet',
      cilium: { namespace: 'kube-system', agentSelector: 'k8s-app=cilium', relaySelector: 'k8s-app=hubble-relay' },
      images: { web: 'nginx:1.25-alpine', shell: 'busybox:1.36', stress: 'polinux/stress:1.0.4' },
    });
  });

  test('a partial override keeps the other defaults (air-gapped images, a different node size)', () => {
    const p = clusterProfileSchema.parse({ images: { shell: 'registry.local/busybox:1.36' }, allocatable: { memory: null, memoryTolerance: '5%' } });
    expect(p.images).toEqual({ web: 'nginx:1.25-alpine', shell: 'registry.local/busybox:1.36', stress: 'polinux/stress:1.0.4' });
    expect(p.allocatable).toEqual({ memory: null, memoryTolerance: '5%', cpu: '3300m', cpuTolerance: '0', apiTolerance: '1%' });
  });

  test('bad values are refused naming the field', () => {
    const bad = (input: unknown): string[] => {
      const r = clusterProfileSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(bad({ workloadNamespaces: ['Flask_Apps'] })).toEqual(['workloadNamespaces.0: a namespace name such as "flask-apps"']);
    expect(bad({ allocatable: { memoryTolerance: 'half' } })).toEqual(['allocatable.memoryTolerance: a quantity such as "0.5Gi" or a percentage such as "5%"']);
    expect(bad({ kubernetesMinor: '1.31.4' })).toEqual(['kubernetesMinor: a minor version such as "1.31"']);
    expect(bad({ kubeletSkewMinors: 4 })).toHaveLength(1);
    expect(bad({ podSecurityLevels: ['privileged'] })).toHaveLength(1);
    expect(bad({ unknownKey: 1 })).toHaveLength(1);
  });
});
