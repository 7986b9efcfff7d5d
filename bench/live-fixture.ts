// Benchmark: the live suite's own overhead on the fixture API server — wall time of runLiveChecks minus the
// scenario's waits (the probe pods' status steps on the critical path) — goal ≤ 5 s. BENCH_RUNS (default 5).
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { runLiveChecks } from '../src/evaluate/live/index.ts';
import { startFakeApiServer, writeKubeconfig } from '../test/support/fake-apiserver.ts';
import { hardenedKubelet, startFakeKubelet } from '../test/support/fake-apiserver-kubelet.ts';
import { liveScenario } from '../test/support/fake-apiserver-live.ts';
import { nodeName, workloadNamespaces } from '../test/support/fake-apiserver-scenarios.ts';

const runs = Number(process.env.BENCH_RUNS ?? 5);
/**
 * The longest chain of scenario waits: web (Running, then Ready) → client → blocked → restored, two steps each;
 * the memory bomb, limits and seccomp pods (two steps each) run beside it.
 */
const criticalSteps = 8;

async function once(stepMs: number): Promise<{ wallMs: number; waitsMs: number; passed: number; total: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'nodegate-bench-live-'));
  const api = await startFakeApiServer(liveScenario('bench', { stepMs }));
  const kubelet = await startFakeKubelet(hardenedKubelet);
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(writeKubeconfig(join(dir, 'kubeconfig'), api));
    const t0 = performance.now();
    const report = await runLiveChecks(kc, {
      node: nodeName,
      images: { web: 'nginx:1.25-alpine', shell: 'busybox:1.36', stress: 'polinux/stress:1.0.4' },
      workloadNamespaces,
      seccompProfile: 'profiles/web-app.json',
      kubeletUrl: kubelet.url,
      signals: new EventEmitter(),
      exit: () => undefined,
      log: () => undefined,
    });
    const wallMs = performance.now() - t0;
    const verdicts = Object.values(report.verdicts);
    return { wallMs, waitsMs: criticalSteps * stepMs, passed: verdicts.filter((v) => v.status === 'pass').length, total: verdicts.length };
  } finally {
    await api.close();
    await kubelet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

await once(0); // warm-up: module loading, the fixture's certificate, client-node's first TLS handshakes
for (const stepMs of [0, 250]) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once(stepMs));
  const wall = median(samples.map((s) => s.wallMs));
  const overhead = median(samples.map((s) => s.wallMs - s.waitsMs));
  const last = samples.at(-1);
  console.log(
    `live checks on the fixture server, scenario step ${stepMs} ms: wall ${wall.toFixed(0)} ms, scenario waits ${criticalSteps * stepMs} ms, overhead ${overhead.toFixed(0)} ms (goal ≤ 5000), ${last?.passed ?? 0}/${last?.total ?? 0} pass, median of ${runs}`,
  );
}
