// The live checks' failure cases on the real cluster lab: each scenario of labs/cluster/scenarios breaks one thing
// the live suite proves (memory limits, cluster DNS, the pod network), nodegate's real CLI run with `--live --only`
// must say so with the exact status and what the probe pods saw, and after healthy.sh the same run passes again.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { requireLab } from '../support/lab-tier.ts';
import { allPass, labSession, statusesOf, verdictOf, type LabAudit } from './lab-audit.ts';
import './lab-context.ts';

const run = promisify(execFile);
const lab = inject('clusterLab');
const availability = requireLab('cluster lab', lab.ok ? { ok: true } : { ok: false, reason: lab.reason });

let dir: string;
const session = labSession(lab, () => dir, { scenarioMs: 180_000, auditMs: 300_000 });
const scenario = (name: string): Promise<string> => session.scenario(name);
/** One `nodegate --live --only IDS` run against the lab's worker, its verdicts read back from the JUnit file. */
const audit = (label: string, ids: readonly string[]): Promise<LabAudit> => session.audit(label, ids, ['--live']);
const statuses = statusesOf;

/** The tier's lab, or a throw: every helper below runs only inside the describe that is skipped without it. */
function up(): Extract<typeof lab, { ok: true }> {
  if (!lab.ok) throw new Error('unreachable: the describe is skipped without the lab');
  return lab;
}

/** A command on the lab's worker over its SSH target (the node as nodegate sees it), its stdout. */
async function onNode(command: string): Promise<string> {
  const { up: u } = up();
  const t = new URL(u.target);
  const { stdout } = await run(
    'ssh',
    ['-i', u.identity, '-o', `UserKnownHostsFile=${u.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', t.port || '22', `${t.username}@${t.hostname}`, command],
    { timeout: 30_000 },
  );
  return stdout;
}

/** The lab's admin kubeconfig, for reading the lab's own state beside nodegate's verdicts. */
function kubeconfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(up().up.kubeconfig);
  return kc;
}

describe.skipIf(!availability.ok)(`the live checks' failure cases on the real cluster lab${lab.ok ? '' : ` (skipped: ${lab.reason})`}`, () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ng-live-scenarios-'));
    await scenario('healthy');
  }, 300_000);
  // Whatever a failed case left applied, the next case, the next file and a person's lab get the healthy cluster
  // back (each case also restores it itself, to prove the undo).
  afterEach(async () => {
    if (lab.ok) await scenario('healthy');
  }, 300_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('memory limit ignored: the bomb outgrows its 200Mi limit and exits normally at its --timeout, so RES-6.2.1 fails (never a pass); healthy brings the OOMKill back', async () => {
    const ids = ['RES-6.2.1', 'RES-6.2.2'];
    await scenario('memory-limit-ignored');
    // The lab really runs runc through the wrapper (labs/cluster/scenarios/memory-limit-ignored.sh).
    expect(await onNode('grep BinaryName /etc/containerd/config.toml')).toContain('runc-memory-limit-ignored');
    const r = await audit('memory-limit-ignored', ids);
    expect(r.exitCode).toBe(1);
    // With its 200Mi limit raised to the wrapper's 1Gi cap the bomb holds its 500M until `--timeout` and exits 0,
    // as polinux/stress does (the lab's stand-in honours --timeout: labs/cluster/images.sh).
    expect(statuses(r, ids)).toEqual({ 'RES-6.2.1': 'fail', 'RES-6.2.2': 'pass' });
    expect(verdictOf(r, 'RES-6.2.1').message).toContain('under a 200Mi limit and exited normally: memory limits are not enforced on this node');

    await scenario('healthy');
    expect(await onNode('grep -c BinaryName /etc/containerd/config.toml || true')).toBe('0\n');
    const back = await audit('memory-limit-restored', ids);
    expect(statuses(back, ids)).toEqual(allPass(ids));
    expect(back.exitCode).toBe(0);
  }, 600_000);

  test('CoreDNS down: NET-5.2.1 and NET-5.2.2 fail with what the probe pod saw, while NET-5.3.x, which go by address, still pass; healthy restores DNS', async () => {
    const ids = ['NET-5.2.1', 'NET-5.2.2', 'NET-5.3.1', 'NET-5.3.2'];
    await scenario('coredns-down');
    const apps = kubeconfig().makeApiClient(AppsV1Api);
    const down = await apps.readNamespacedDeployment({ namespace: 'kube-system', name: 'coredns' });
    expect(down.spec?.replicas).toBe(0);
    expect(down.status?.readyReplicas ?? 0).toBe(0);
    const r = await audit('coredns-down', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'NET-5.2.1': 'fail', 'NET-5.2.2': 'fail', 'NET-5.3.1': 'pass', 'NET-5.3.2': 'pass' });
    // busybox nslookup's own words for a resolver nobody answers, and wget's for a name that did not resolve.
    expect(verdictOf(r, 'NET-5.2.1').message).toContain('Cluster DNS did not resolve');
    expect(verdictOf(r, 'NET-5.2.1').message).toContain('no servers could be reached');
    expect(verdictOf(r, 'NET-5.2.2').message).toContain("bad address 'nodegate-web'");

    await scenario('healthy');
    expect((await apps.readNamespacedDeployment({ namespace: 'kube-system', name: 'coredns' })).status?.readyReplicas).toBe(1);
    const back = await audit('coredns-restored', ids);
    expect(statuses(back, ids)).toEqual(allPass(ids));
    expect(back.exitCode).toBe(0);
  }, 600_000);

  test('no pod network: NET-5.3.2 (the positive control) and NET-5.3.1 fail, NET-5.4.1 is an error, never a pass; healthy restores the network', async () => {
    const ids = ['NET-5.3.1', 'NET-5.3.2', 'NET-5.4.1'];
    await scenario('no-pod-network');
    expect(await onNode('iptables -w -t mangle -S FORWARD')).toContain('nodegate-lab no-pod-network');
    const r = await audit('no-pod-network', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'NET-5.3.1': 'fail', 'NET-5.3.2': 'fail', 'NET-5.4.1': 'error' });
    // The server pod still became Ready (the kubelet's probes are not forwarded), so NET-5.3.2 is a fail, not
    // "no server to reach".
    expect(verdictOf(r, 'NET-5.3.2').message).toContain('pod-to-pod traffic on this node is broken');
    expect(verdictOf(r, 'NET-5.3.2').message).not.toContain('No server to reach');
    expect(verdictOf(r, 'NET-5.3.1').message).toContain('The API server was not reachable over TCP/TLS');
    // issue 9: "a blocked result needs its allowed control first".
    expect(verdictOf(r, 'NET-5.4.1').message).toContain('The positive control NET-5.3.2 did not pass (fail)');

    await scenario('healthy');
    expect(await onNode('iptables -w -t mangle -S FORWARD')).not.toContain('nodegate-lab no-pod-network');
    const back = await audit('pod-network-restored', ids);
    expect(statuses(back, ids)).toEqual(allPass(ids));
    expect(back.exitCode).toBe(0);
  }, 600_000);
});
