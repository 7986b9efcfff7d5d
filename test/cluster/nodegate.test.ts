// nodegate itself (the real CLI, over SSH to the lab's worker, through @kubernetes/client-node to its API server)
// against the real cluster lab: every NET, RES, SEC-4.3 and KUBELET-3.5 check the one-node lab can answer passes
// on the healthy cluster, and the scenarios of labs/cluster/scenarios make the matching checks fail for real.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { z } from 'zod';
import { runCli } from '../support/cli.ts';
import { readJUnit, type JUnitCase } from '../support/junit-read.ts';
import { requireLab } from '../support/lab-tier.ts';
import { labSession } from './lab-audit.ts';
import './lab-context.ts';
import unanswerableJson from './unanswerable.json' with { type: 'json' };

const lab = inject('clusterLab');
const availability = requireLab('cluster lab', lab.ok ? { ok: true } : { ok: false, reason: lab.reason });
const unanswerable = z.object({ checks: z.record(z.string(), z.string()) }).parse(unanswerableJson).checks;

// The catalog's NET, RES, SEC-4.3 and KUBELET-3.5 IDs (docs/catalog.md), and SEC-4.2.5, the live seccomp check;
// the lab answers all but unanswerable.json's.
const areaIds = [
  'KUBELET-3.5.1', 'KUBELET-3.5.2', 'KUBELET-3.5.3', 'KUBELET-3.5.4', 'SEC-4.2.5',
  'SEC-4.3.1', 'SEC-4.3.2', 'SEC-4.3.3', 'SEC-4.3.4', 'SEC-4.3.5', 'SEC-4.3.6', 'SEC-4.3.7',
  'NET-5.1.1', 'NET-5.1.2', 'NET-5.1.3', 'NET-5.1.4', 'NET-5.1.5', 'NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2',
  'NET-5.4.1', 'NET-5.4.2', 'NET-5.4.3',
  'RES-6.1.1', 'RES-6.1.2', 'RES-6.1.3', 'RES-6.1.4', 'RES-6.2.1', 'RES-6.2.2', 'RES-6.2.3', 'RES-6.3.1', 'RES-6.3.2',
];
// kube-router answers a denied connection with icmp-port-unreachable (its KUBE-POD-FW chains end in
// `-j REJECT --reject-with icmp-port-unreachable`, seen with iptables-save on the worker), so the blocked request is
// refused at once instead of timing out; NET-5.4.1 reads a refusal after its positive control as blocked too.
const answerable = areaIds.filter((id) => !(id in unanswerable));

let dir: string;

/** Runs a scenario script of labs/cluster/scenarios against the tier's lab. */
const { scenario } = labSession(lab, () => dir, { scenarioMs: 120_000, auditMs: 240_000 });

/** One nodegate run against the lab's worker, its verdicts read back from the JUnit file. */
async function audit(label: string, args: readonly string[]): Promise<{ exitCode: number | null; cases: JUnitCase[]; ms: number; stdout: string }> {
  if (!lab.ok) throw new Error('unreachable: the describe is skipped without the lab');
  const { up } = lab;
  const junit = join(dir, `${label}.xml`);
  const r = await runCli(
    ['--target', up.target, '--node', up.node, '--identity', up.identity, '--known-hosts', up.knownHosts, '--kubeconfig', up.kubeconfig, '--profile', up.images, '--junit', junit, ...args],
    { timeoutMs: 240_000 },
  );
  return { exitCode: r.exitCode, cases: readJUnit(await readFile(junit, 'utf8')), ms: r.ms, stdout: r.stdout };
}

const verdict = (cases: readonly JUnitCase[], id: string): string => {
  const c = cases.find((x) => x.id === id);
  return c ? `${c.status}${c.status === 'pass' ? '' : `: ${c.message}`}` : 'missing';
};

describe.skipIf(!availability.ok)(`nodegate against the real cluster lab${lab.ok ? '' : ` (skipped: ${lab.reason})`}`, () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ng-cluster-'));
    await scenario('healthy');
  }, 180_000);
  afterAll(async () => {
    // Whatever a failed case left applied, the next file (and a person's lab) gets the healthy cluster back.
    if (lab.ok) await scenario('healthy');
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 180_000);

  test('healthy: every NET, RES, SEC-4.3 and KUBELET-3.5 check the lab can answer passes, live checks included', async () => {
    const r = await audit('healthy', ['--live']);
    const got = Object.fromEntries(answerable.map((id) => [id, verdict(r.cases, id)]));
    expect(got).toEqual(Object.fromEntries(answerable.map((id) => [id, 'pass'])));
    // The unanswerable ones are really judged (never missing), just not passable here.
    for (const id of Object.keys(unanswerable)) expect(verdict(r.cases, id)).not.toBe('missing');
  }, 240_000);

  test('policy controller stopped: the deny-all policy no longer blocks (NET-5.4.1 fails) while the positive control passes', async () => {
    await scenario('policy-controller-stopped');
    const r = await audit('policy-stopped', ['--live', '--only', 'NET-5.3.2,NET-5.4.1,NET-5.4.2']);
    expect(verdict(r.cases, 'NET-5.3.2')).toBe('pass');
    expect(r.cases.find((c) => c.id === 'NET-5.4.1')?.status).toBe('fail');
    await scenario('healthy');
    const back = await audit('policy-restored', ['--live', '--only', 'NET-5.3.2,NET-5.4.1,NET-5.4.2']);
    // Enforced again: the deny-all policy blocks once more — refused by kube-router's REJECT, which is blocked.
    expect(verdict(back.cases, 'NET-5.3.2')).toBe('pass');
    expect(verdict(back.cases, 'NET-5.4.1')).toBe('pass');
    expect(verdict(back.cases, 'NET-5.4.2')).toBe('pass');
  }, 240_000);

  test('a workload namespace without Pod Security labels: SEC-4.3.3 fails naming it, and admission really lets a hostPath and a privileged pod in (SEC-4.3.4, SEC-4.3.5)', async () => {
    await scenario('no-psa-labels');
    const r = await audit('no-psa', ['--live', '--only', 'SEC-4.3.3,SEC-4.3.4,SEC-4.3.5']);
    const c = (id: string) => r.cases.find((x) => x.id === id);
    expect(c('SEC-4.3.3')?.status).toBe('fail');
    expect(c('SEC-4.3.3')?.message).toContain('flask-apps');
    expect(c('SEC-4.3.4')?.status).toBe('fail');
    expect(c('SEC-4.3.5')?.status).toBe('fail');
    await scenario('healthy');
  }, 240_000);

  test('the guide\'s seccomp profile as written: runc cannot start a workload under it, so SEC-4.2.5 fails while its control runs', async () => {
    await scenario('seccomp-guide-literal');
    const r = await audit('seccomp-literal', ['--live', '--only', 'SEC-4.2.5']);
    const c = r.cases.find((x) => x.id === 'SEC-4.2.5');
    expect(c?.status).toBe('fail');
    // runc 1.1 calls fstatfs(2) on /proc/self/fd after loading the filter; the guide's list has no fstatfs.
    expect(c?.message).toContain('The workload did not run under the profile, while the control without it did');
    expect(c?.message).toContain('ensure /proc/self/fd is on procfs: operation not permitted');
    await scenario('healthy');
    const back = await audit('seccomp-restored', ['--live', '--only', 'SEC-4.2.5']);
    expect(verdict(back.cases, 'SEC-4.2.5')).toBe('pass');
  }, 240_000);

  test('a pod mounting the node\'s /run: SEC-4.3.6 fails naming the pod', async () => {
    await scenario('run-mount');
    const r = await audit('run-mount', ['--only', 'SEC-4.3.6']);
    const c = r.cases.find((x) => x.id === 'SEC-4.3.6');
    expect(c?.status).toBe('fail');
    expect(c?.message).toContain('run-mounter');
    await scenario('healthy');
  }, 240_000);
});
