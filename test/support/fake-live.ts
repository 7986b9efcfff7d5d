// The live harness's unit tests share one lifecycle: a fixture API server (and kubelet) per test, closed after it,
// a client-node kubeconfig pointing at it, and the options every run against it takes.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach } from 'vitest';
import type { LiveCheckOptions } from '../../src/evaluate/live/index.ts';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer, type Scenario } from './fake-apiserver.ts';
import { hardenedKubelet, startFakeKubelet, type FakeKubelet, type KubeletBehaviour } from './fake-apiserver-kubelet.ts';
import { nodeName, workloadNamespaces } from './fake-apiserver-scenarios.ts';

/** The guide's images, as a profile names them. */
export const liveTestImages = { web: 'nginx:1.25-alpine', shell: 'busybox:1.36', stress: 'polinux/stress:1.0.4' };

/** What every test run of runLiveChecks against the fixtures passes: the fixture node, no real signals or exit. */
export const liveTestOptions: LiveCheckOptions = {
  node: nodeName,
  images: liveTestImages,
  workloadNamespaces,
  seccompProfile: 'profiles/web-app.json',
  signals: new EventEmitter(),
  exit: () => undefined,
  log: () => undefined,
  timeouts: { podMs: 20_000, readyMs: 20_000 },
  httpTimeoutMs: 5_000,
};

export interface FakeCluster {
  readonly api: FakeApiServer;
  /** Absent when started without one (`kubelet: false`). */
  readonly kubelet: FakeKubelet | undefined;
  readonly kc: KubeConfig;
}

/**
 * Registers the per-test teardown in the calling file and returns how to start one fixture cluster: the kubelet
 * first (a scenario may need its URL), then the API server, then a kubeconfig for it.
 */
export function useFakeCluster(prefix: string): (scenario: Scenario | ((k: FakeKubelet) => Scenario), kubelet?: KubeletBehaviour | false) => Promise<FakeCluster> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let open: { api?: FakeApiServer; kubelet?: FakeKubelet } = {};
  afterEach(async () => {
    await open.api?.close();
    await open.kubelet?.close();
    open = {};
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return async (scenario, behaviour = hardenedKubelet) => {
    const kubelet = behaviour === false ? undefined : await startFakeKubelet(behaviour);
    open.kubelet = kubelet;
    let resolved: Scenario;
    if (typeof scenario !== 'function') resolved = scenario;
    else if (kubelet) resolved = scenario(kubelet);
    else throw new Error('a scenario built from the kubelet needs one');
    const api = await startFakeApiServer(resolved);
    open.api = api;
    const kc = new KubeConfig();
    kc.loadFromFile(writeKubeconfig(join(dir, `kc-${Math.random().toString(16).slice(2)}`), api));
    return { api, kubelet, kc };
  };
}
