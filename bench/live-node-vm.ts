// Benchmark of the on-node live checks (RES-6.2.1, RES-6.2.3, SEC-4.2.5 through the node's containerd): wall time per
// step on the VM lab node over SSH (qemu under TCG, so every fork and exec is emulated), and the same steps on this
// machine's own kernel through a private containerd (native speed: what a real node's side costs without the network).
// Root only; run it under the VM lock: `flock /tmp/nodegate-vm.lock scripts/node.sh bench/live-node-vm.ts`.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeLiveChecks } from '../src/live-node/run.ts';
import { openLocal } from '../src/target/local.ts';
import { openTarget, parseTargetSpec, type Target } from '../src/target/index.ts';
import { startPrivateContainerd } from '../test/support/private-containerd.ts';
import { startVm } from '../test/support/vm-lab.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'nodegate-bench-live-'));
const image = join(work, 'busybox.tar');
const built = spawnSync(join(repo, 'fixtures/live/busybox-image.sh'), [image], { encoding: 'utf8' });
if (built.status !== 0) throw new Error(`busybox-image.sh failed: ${built.stderr}`);

type Split = Record<string, number>;

/** One run, split by the moments each step's output arrives (the profile read rides with the seccomp step). */
async function once(target: Target, extra: { address?: string; seccompProfile?: string }): Promise<{ split: Split; total: number; statuses: string }> {
  const split: Split = {};
  const started = performance.now();
  let last = started;
  const verdicts = await runNodeLiveChecks(target, {
    imageFile: image, stepTimeoutMs: 120_000, signals: new EventEmitter(), exit: () => {}, log: (m) => console.error(m), ...extra,
    onStep: (step) => {
      const now = performance.now();
      split[step] = (split[step] ?? 0) + (now - last) / 1000;
      last = now;
    },
  });
  const statuses = ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5'].map((id) => `${id} ${verdicts[id]?.status ?? 'none'}`).join(', ');
  return { split, total: (performance.now() - started) / 1000, statuses };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function measure(label: string, target: Target, extra: { address?: string; seccompProfile?: string }): Promise<void> {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await once(target, extra));
  const steps = [...new Set(all.flatMap((r) => Object.keys(r.split)))];
  console.log(`${label}: ${runs} runs, ${all[0]?.statuses}`);
  for (const s of steps) console.log(`  ${s.padEnd(14)} median ${median(all.map((r) => r.split[s] ?? 0)).toFixed(2)} s`);
  console.log(`  ${'whole run'.padEnd(14)} median ${median(all.map((r) => r.total)).toFixed(2)} s  (${all.map((r) => r.total.toFixed(2)).join(', ')})`);
}

try {
  // This machine: a private containerd, the local target (no SSH), Debian's runc on the host kernel.
  const daemon = await startPrivateContainerd(join(work, 'containerd'));
  try {
    await measure('this machine, private containerd (native)', openLocal(), { address: daemon.socket, seccompProfile: join(repo, 'fixtures/live/web-app.json') });
  } finally {
    await daemon.stop();
  }
  // The VM lab node: SSH over a loopback forward into qemu (TCG), Debian 12's containerd under systemd.
  const bootStart = performance.now();
  const vm = await startVm({ bootTimeoutSeconds: 240 });
  try {
    await vm.applyScenario('guide-traps-avoided', { timeoutMs: 300_000 });
    console.log(`VM boot + guide-traps-avoided: ${((performance.now() - bootStart) / 1000).toFixed(1)} s (not part of a run)`);
    const target = await openTarget(parseTargetSpec(vm.target), { identityFile: vm.identityFile, knownHostsFile: vm.knownHostsFile });
    try {
      await measure('VM lab node over SSH (qemu TCG)', target, {});
    } finally {
      await target.close();
    }
  } finally {
    await vm.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
