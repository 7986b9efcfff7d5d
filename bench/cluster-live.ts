// Benchmark on the real cluster lab (labs/cluster/up.sh must have run; NODEGATE_CLUSTER_DIR names another DIR):
// wall time of the whole live suite once the cluster is up (goal ≤ 60 s, images already imported by up.sh), and
// of the static audit with and without the cluster suite over the kubeconfig (goal: ≤ 2 s more).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { upLine } from '../test/cluster/lab-context.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dir = process.env['NODEGATE_CLUSTER_DIR'] ?? '/tmp/nodegate-cluster';
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const up = upLine.parse(JSON.parse(readFileSync(`${dir}/up.json`, 'utf8')));
const ssh = ['--target', up.target, '--node', up.node, '--identity', up.identity, '--known-hosts', up.knownHosts, '--profile', up.images];

/** One whole nodegate process, timed from spawn to exit. */
function audit(extra: readonly string[]): { ms: number; exitCode: number | null } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [`${repo}bin/nodegate.js`, ...ssh, ...extra], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  // Exit 4 is nodegate failing (or checks that never reported): a time of that run measures nothing.
  if (r.status === 4 || r.status === 2 || r.status === null) throw new Error(`nodegate ${extra.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  return { ms: performance.now() - started, exitCode: r.status };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
function measure(label: string, extra: readonly string[]): number {
  const results = Array.from({ length: runs }, () => audit(extra));
  const ms = results.map((r) => r.ms);
  const m = median(ms);
  // The exit codes say whether the timed runs were the healthy lab's (0) or judged something failing (1).
  console.log(`${label.padEnd(44)} median ${(m / 1000).toFixed(2)} s  (${ms.map((x) => (x / 1000).toFixed(2)).join(', ')}; exit ${results.map((r) => r.exitCode).join(', ')})`);
  return m;
}

spawnSync(`${repo}labs/cluster/scenarios/healthy.sh`, [], { stdio: 'inherit', env: { ...process.env, NODEGATE_CLUSTER_DIR: dir } });
// No --kubeconfig and no KUBECONFIG: the cluster checks skip, saying why (the static audit alone).
delete process.env['KUBECONFIG'];
const staticOnly = measure('static audit (no kubeconfig)', []);
const withCluster = measure('static audit + cluster suite (--kubeconfig)', ['--kubeconfig', up.kubeconfig]);
const live = measure('static + cluster + live (--live)', ['--kubeconfig', up.kubeconfig, '--live']);
console.log(`cluster suite over the static audit: ${((withCluster - staticOnly) / 1000).toFixed(2)} s (goal ≤ 2 s)`);
console.log(`live suite over static + cluster:    ${((live - withCluster) / 1000).toFixed(2)} s; whole live run ${(live / 1000).toFixed(2)} s (goal ≤ 60 s)`);
