// Brings the real cluster lab up once for the whole cluster tier (one lab at a time on this machine) and down
// afterwards; when this machine cannot run it, says why, so the files skip with that reason — or fail under
// NODEGATE_REQUIRE_LABS=1 (test/support/lab-tier.ts).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { upLine, type ClusterLab } from './lab-context.ts';

const run = promisify(execFile);
const repo = new URL('../..', import.meta.url).pathname;
const cache = '/var/cache/nodegate-cluster';
// A lab someone brought up by hand (up.sh's default DIR, or NODEGATE_CLUSTER_DIR) is used and left running.
const dir = process.env['NODEGATE_CLUSTER_DIR'] ?? '/tmp/nodegate-cluster';

/** Why this machine cannot bring the lab up, or undefined when it can. */
function cannotRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'the cluster lab needs root (network namespaces, containerd, the kubelet)';
  const built = existsSync(cache) && readdirSync(cache).some((d) => d.startsWith('build-') && existsSync(`${cache}/${d}/.complete`));
  // A cold build is about an hour on two cores (docs/cluster-lab.md): .ci/run runs it, a test never does.
  if (!built) return `no built binaries in ${cache} (run labs/cluster/build.sh first; about an hour cold)`;
  return undefined;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const upFile = `${dir}/up.json`;
  if (existsSync(upFile)) {
    project.provide('clusterLab', { ok: true, up: upLine.parse(JSON.parse(readFileSync(upFile, 'utf8'))), dir });
    return async () => undefined;
  }
  const reason = cannotRun();
  if (reason) {
    project.provide('clusterLab', { ok: false, reason });
    return async () => undefined;
  }
  let lab: ClusterLab;
  try {
    const { stdout } = await run(`${repo}labs/cluster/up.sh`, ['--dir', dir], { timeout: 300_000, maxBuffer: 16 << 20 });
    const last = stdout.trim().split('\n').at(-1) ?? '';
    lab = { ok: true, up: upLine.parse(JSON.parse(last)), dir };
  } catch (cause) {
    // up.sh failing is not "cannot run here": the tier reports it, it does not skip.
    const err = cause as { stderr?: string; message?: string };
    throw new Error(`labs/cluster/up.sh failed: ${(err.stderr ?? err.message ?? String(cause)).trim().split('\n').slice(-5).join(' | ')}`);
  }
  project.provide('clusterLab', lab);
  return async () => {
    await run(`${repo}labs/cluster/down.sh`, ['--dir', dir], { timeout: 180_000 });
  };
}
