// Benchmark: whole-process wall time, SSH exec round trips per node and peak RSS of an audit of 1 and 20 lab nodes,
// and with --vm (or BENCH_VM=1; --vm-only for it alone) of the VM lab's systemd node, with and without the kubelet suite.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Snapshot } from '../src/run/snapshot.ts';
import { labAvailable, startLab } from '../test/support/netns-lab.ts';
import { startVm, vmLabAvailable } from '../test/support/vm-lab.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 5);
const sizes = (process.env.BENCH_NODES ?? '1,20').split(',').map(Number);
const vmOnly = process.argv.includes('--vm-only');
const withVm = vmOnly || process.argv.includes('--vm') || process.env.BENCH_VM === '1';

interface Sample {
  wallMs: number;
  maxRssKb: number;
  exitCode: number;
}

/** One whole `nodegate` process, timed from spawn to exit; GNU time reports the child's peak RSS. */
function audit(config: string, extra: string[] = []): Sample {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(repo, 'bin/nodegate.js'), '--config', config, ...extra], {
    encoding: 'utf8',
    cwd: repo,
  });
  const wallMs = performance.now() - started;
  const rss = /(\d+)\s*$/.exec(r.stderr.trim());
  return { wallMs, maxRssKb: rss?.[1] ? Number(rss[1]) : Number.NaN, exitCode: r.status ?? -1 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

/**
 * One VM lab node after guide-traps-avoided (kubelet and containerd running): the same whole-process timing, once
 * with every suite and once with `--skip KUBELET`, whose second probe round reads the files the kubelet names.
 */
async function vmSection(work: string): Promise<string[]> {
  const started = performance.now();
  const vm = await startVm();
  const results: string[] = [];
  try {
    await vm.applyScenario('guide-traps-avoided', { timeoutMs: 180_000 });
    const upMs = performance.now() - started;
    const config = join(work, 'vm.yaml');
    await writeFile(config, stringify({ nodes: [{ name: 'worker-01', target: vm.target }], identity: vm.identityFile, knownHosts: vm.knownHostsFile }));
    const variants: [string, string[]][] = [
      ['all', []],
      ['skip-kubelet', ['--skip', 'KUBELET']],
    ];
    for (const [label, extra] of variants) {
      audit(config, extra); // warm the file cache and the node's page cache once
      const samples = Array.from({ length: runs }, () => audit(config, extra));
      const snapshotFile = join(work, `vm-${label}.json`);
      audit(config, [...extra, '--save-snapshot', snapshotFile]);
      const probe = (JSON.parse(await readFile(snapshotFile, 'utf8')) as Snapshot).nodes[0]?.probe;
      results.push(
        [
          `vm suites=${label}`,
          `wall_median_ms=${median(samples.map((s) => s.wallMs)).toFixed(0)}`,
          `wall_min_ms=${Math.min(...samples.map((s) => s.wallMs)).toFixed(0)}`,
          `wall_max_ms=${Math.max(...samples.map((s) => s.wallMs)).toFixed(0)}`,
          `round_trips=${probe?.roundTrips ?? 'unknown'}`,
          `probe_ms=${probe?.durationMs ?? 'unknown'}`,
          `peak_rss_mb=${(Math.max(...samples.map((s) => s.maxRssKb)) / 1024).toFixed(0)}`,
          `exit=${samples.map((s) => s.exitCode).join('')}`,
          `boot_s=${vm.bootSeconds}`,
          `vm_up_ms=${upMs.toFixed(0)}`,
        ].join(' '),
      );
      console.log(results.at(-1));
    }
  } finally {
    await vm.stop();
  }
  return results;
}

async function main(): Promise<void> {
  const time = spawnSync('/usr/bin/time', ['-f', '%M', 'true']);
  if (time.status !== 0) {
    console.error('bench/static-audit: needs GNU time (/usr/bin/time, Debian package "time")');
    process.exit(2);
  }
  const work = await mkdtemp(join(tmpdir(), 'ng-bench-'));
  if (withVm) {
    const vmLab = vmLabAvailable();
    if (!vmLab.ok) {
      console.error(`bench/static-audit --vm: cannot run: ${vmLab.reason}`);
      process.exit(2);
    }
  }
  if (!vmOnly) await namespaceSection(work);
  if (withVm) {
    const vmResults = await vmSection(work);
    console.log(`\nVM lab node (TCG), median of ${runs} whole-process runs, with every suite and with --skip KUBELET`);
    for (const r of vmResults) console.log(r);
  }
}

async function namespaceSection(work: string): Promise<void> {
  const lab = labAvailable();
  if (!lab.ok) {
    console.error(`bench/static-audit: cannot run: ${lab.reason}`);
    process.exit(2);
  }
  const results: string[] = [];
  let oneNodeMs = 0;
  for (const n of sizes) {
    const started = performance.now();
    const labNodes = await startLab(Array.from({ length: n }, (_, i) => ({ name: `bench-${String(i + 1).padStart(2, '0')}`, variant: 'base' })));
    const upMs = performance.now() - started;
    try {
      const first = labNodes.nodes[0];
      if (!first) throw new Error('lab started no node');
      const config = join(work, `nodes-${n}.yaml`);
      await writeFile(
        config,
        stringify({
          nodes: labNodes.nodes.map((node) => ({ name: node.name, target: node.target })),
          identity: first.identityFile,
          knownHosts: first.knownHostsFile,
        }),
      );
      audit(config); // warm the file cache once
      const samples = Array.from({ length: runs }, () => audit(config));
      const snapshotFile = join(work, `facts-${n}.json`);
      audit(config, ['--save-snapshot', snapshotFile]);
      const snapshot = JSON.parse(await readFile(snapshotFile, 'utf8')) as Snapshot;
      const trips = snapshot.nodes.map((f) => f.probe.roundTrips);
      const wall = median(samples.map((s) => s.wallMs));
      if (n === 1) oneNodeMs = wall;
      results.push(
        [
          `nodes=${n}`,
          `wall_median_ms=${wall.toFixed(0)}`,
          `wall_min_ms=${Math.min(...samples.map((s) => s.wallMs)).toFixed(0)}`,
          `wall_max_ms=${Math.max(...samples.map((s) => s.wallMs)).toFixed(0)}`,
          `round_trips_per_node=${Math.max(...trips)}`,
          `observed_nodes=${snapshot.nodes.length}`,
          `peak_rss_mb=${(Math.max(...samples.map((s) => s.maxRssKb)) / 1024).toFixed(0)}`,
          `exit=${samples.map((s) => s.exitCode).join('')}`,
          `lab_up_ms=${upMs.toFixed(0)}`,
          ...(n > 1 && oneNodeMs > 0 ? [`ratio_to_one_node=${(wall / oneNodeMs).toFixed(2)}`] : []),
        ].join(' '),
      );
      console.log(results.at(-1));
    } finally {
      await labNodes.stop();
    }
  }
  console.log(`\nstatic audit, median of ${runs} whole-process runs per size (goals: 1 node <= 1500 ms and <= 2 round trips; 20 nodes <= 3x one node)`);
  for (const r of results) console.log(r);
}

await main();
