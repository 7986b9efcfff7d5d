// ClusterFacts for the evaluator tests, gathered for real from the fixture API server (so they have the shape the
// gatherer produces), plus node facts carrying the capacity evidence and a profile with the cluster fragment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherClusterFacts } from '../../src/cluster/gather.ts';
import { loadKubeconfig } from '../../src/cluster/kubeconfig.ts';
import { capacityCmd, capacityPaths } from '../../src/facts/requirements-capacity.ts';
import { defaultClusterProfile } from '../../src/profile/cluster.ts';
import type { ClusterFacts } from '../../src/cluster/types.ts';
import type { ClusterCheckProfile } from '../../src/evaluate/cluster/evidence.ts';
import type { NodeFacts } from '../../src/facts/types.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { startFakeApiServer, writeKubeconfig, type Scenario } from './fake-apiserver.ts';
import { nodeName } from './fake-apiserver-scenarios.ts';
import { drift, file, ran } from './facts.ts';
import { kubeletCompliantFacts } from './kubelet-facts.ts';

/** Gathers a scenario's ClusterFacts through a fresh fixture server, then stops it. */
export async function gatherScenario(s: Scenario): Promise<ClusterFacts> {
  const api = await startFakeApiServer(s);
  const dir = mkdtempSync(join(tmpdir(), 'nodegate-scenario-'));
  try {
    const loaded = loadKubeconfig({ kind: 'file', paths: [writeKubeconfig(join(dir, 'kubeconfig'), api)], from: '--kubeconfig' });
    return await gatherClusterFacts(loaded, nodeName, defaultClusterProfile(), { retry: { retries: 2, minTimeoutMs: 5, maxTimeoutMs: 20, maxRetryAfterMs: 2_000, maxRetryTimeMs: 5_000 } });
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** /proc/meminfo of a 16384Mi node (MemTotal in kB as the kernel prints it). */
export const meminfo = (totalKb = 16_777_216, hugePages = 0): string =>
  `MemTotal:       ${totalKb} kB\nMemFree:         9876543 kB\nMemAvailable:   12345678 kB\nHugePages_Total:    ${hugePages}\nHugePages_Free:     ${hugePages}\nHugepagesize:       2048 kB\n`;

/** The compliant kubelet node with its capacity evidence: 16384Mi, CPUs 0-3, a 102626232Ki /var/lib/kubelet. */
export function nodeWithCapacity(): NodeFacts {
  return drift(kubeletCompliantFacts(), {
    files: { [capacityPaths.meminfo]: file(meminfo()), [capacityPaths.cpuOnline]: file('0-3\n') },
    commands: { [capacityCmd.rootfs]: ran('4096 25656558\n') },
  });
}

export function clusterProfile(): ClusterCheckProfile {
  return { ...profileSchema.parse(defaultProfile), cluster: defaultClusterProfile() };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A copy of gathered facts with one change (facts are plain data: a deep copy is a JSON round trip). */
export function withFacts(f: ClusterFacts, change: (m: Mutable<ClusterFacts>) => void): ClusterFacts {
  const copy = JSON.parse(JSON.stringify(f)) as Mutable<ClusterFacts>;
  change(copy);
  return copy;
}
