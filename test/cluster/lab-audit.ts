// What the cluster tier's scenario files share: run a scenario script of labs/cluster/scenarios against the tier's
// lab, and one nodegate run (the real CLI) against its worker with `--only IDS`, read back from the JUnit file with
// each verdict's actual and source properties.
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { runCli, repoRoot } from '../support/cli.ts';
import { readJUnit, readJUnitProperties, type JUnitCase } from '../support/junit-read.ts';
import type { ClusterLab, UpLine } from './lab-context.ts';

const run = promisify(execFile);

/** A verdict as the JUnit file carries it: status and message, plus the actual and source properties. */
export interface Verdict extends JUnitCase {
  readonly actual: string;
  readonly source: string;
}

export interface LabAudit {
  readonly exitCode: number | null;
  readonly verdicts: Map<string, Verdict>;
}

/** Runs labs/cluster/scenarios/NAME.sh against the lab in `labDir`; its output is part of the evidence. */
export async function runScenario(labDir: string, name: string, args: readonly string[], timeoutMs: number): Promise<string> {
  const { stdout } = await run(`${repoRoot}labs/cluster/scenarios/${name}.sh`, [...args], { env: { ...process.env, NODEGATE_CLUSTER_DIR: labDir }, timeout: timeoutMs });
  return stdout;
}

/** One nodegate run against the lab's worker with `--only IDS`, its JUnit written under `workDir`. */
export async function auditLab(up: UpLine, workDir: string, label: string, ids: readonly string[], extra: readonly string[], timeoutMs: number): Promise<LabAudit> {
  const junit = join(workDir, `${label}.xml`);
  const r = await runCli(
    ['--target', up.target, '--node', up.node, '--identity', up.identity, '--known-hosts', up.knownHosts, '--kubeconfig', up.kubeconfig, '--profile', up.images, '--junit', junit, '--only', ids.join(','), ...extra],
    { timeoutMs },
  );
  console.log(`nodegate ${[...extra, '--only', ids.join(',')].join(' ')} (${label}): exit ${r.exitCode} in ${(r.ms / 1000).toFixed(1)} s`);
  const xml = await readFile(junit, 'utf8').catch((e: unknown) => {
    throw new Error(`nodegate wrote no JUnit (exit ${r.exitCode}): ${r.stderr.slice(-500)} (${String(e)})`);
  });
  const props = readJUnitProperties(xml);
  const verdicts = new Map<string, Verdict>();
  for (const c of readJUnit(xml)) verdicts.set(c.id, { ...c, actual: props.get(c.id)?.['actual'] ?? '', source: props.get(c.id)?.['source'] ?? '' });
  return { exitCode: r.exitCode, verdicts };
}

/**
 * A scenario file's two helpers bound to its lab and work directory, with the file's own timeouts: `scenario` runs
 * labs/cluster/scenarios/NAME.sh (its output is part of the evidence), `audit` one nodegate run with `--only IDS`.
 * Both run only inside the describe that is skipped without the lab.
 */
export function labSession(provided: ClusterLab, workDir: () => string, timeouts: { readonly scenarioMs: number; readonly auditMs: number }) {
  const lab = (): Extract<ClusterLab, { ok: true }> => {
    if (!provided.ok) throw new Error('unreachable: the describe is skipped without the lab');
    return provided;
  };
  return {
    scenario: (name: string, args: readonly string[] = []): Promise<string> => runScenario(lab().dir, name, args, timeouts.scenarioMs),
    audit: (label: string, ids: readonly string[], extra: readonly string[] = []): Promise<LabAudit> => auditLab(lab().up, workDir(), label, ids, extra, timeouts.auditMs),
  };
}

/** The verdict of one ID, or a failure naming what was reported instead. */
export function verdictOf(r: LabAudit, id: string): Verdict {
  const v = r.verdicts.get(id);
  if (!v) throw new Error(`nodegate reported no verdict for ${id} (got ${[...r.verdicts.keys()].join(', ')})`);
  return v;
}

export const statusesOf = (r: LabAudit, ids: readonly string[]): Record<string, string> => Object.fromEntries(ids.map((id) => [id, r.verdicts.get(id)?.status ?? 'missing']));
export const allPass = (ids: readonly string[]): Record<string, string> => Object.fromEntries(ids.map((id) => [id, 'pass']));

/**
 * The hooks a scenario file registers in its describe: each case timed (printed after the file), and after the
 * file the lab healthy again, whatever a failed case left applied, and the file's work directory removed.
 */
export function scenarioFileHooks(label: string, labDir: string | undefined, workDir: () => string | undefined, timeoutMs: number): void {
  const timings: Record<string, number> = {};
  let started = 0;
  beforeEach(() => {
    started = performance.now();
  });
  afterEach((ctx) => {
    timings[ctx.task.name.split(':')[0] ?? ctx.task.name] = Math.round(performance.now() - started);
  });
  afterAll(async () => {
    if (labDir) await runScenario(labDir, 'healthy', [], timeoutMs);
    const dir = workDir();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`${label}, ms per case: ${JSON.stringify(timings)}`);
  }, timeoutMs);
}
