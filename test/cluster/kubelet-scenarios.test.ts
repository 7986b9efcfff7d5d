// The kubelet scenarios of labs/cluster/scenarios proven on the real kubelet of the cluster lab: what nodegate (the
// real CLI, over SSH and through the lab's API server) says when the read-only port, the reservations, anonymous
// authentication or the kernel tunables of protectKernelDefaults drift, checked against what the kubelet really does.
import { mkdtemp, readFile, readdir, readlink } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { requireLab } from '../support/lab-tier.ts';
import { labSession, scenarioFileHooks, statusesOf, verdictOf } from './lab-audit.ts';
import './lab-context.ts';

const provided = inject('clusterLab');
const availability = requireLab('cluster lab', provided.ok ? { ok: true } : { ok: false, reason: provided.reason });

/** Bytes of a memory quantity as the kubelet reports it (plain, Ki, Mi, Gi). */
function bytes(q: string): bigint {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`not a memory quantity this test reads: ${q}`);
  return BigInt(m[1] ?? '0') * ({ Ki: 1024n, Mi: 1024n ** 2n, Gi: 1024n ** 3n }[m[2] ?? ''] ?? 1n);
}

/** What a request from this machine (the runner) gets: an HTTP status and body, or the socket error's code. */
type Answer = { readonly status: number; readonly body: string } | { readonly code: string };

function get(url: string): Promise<Answer> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    // No client certificate and no token: the anonymous caller KUBELET-3.5.1/3.5.2 are about.
    const req = request(u, { method: 'GET', rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`GET ${url} timed out`), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code ?? e.message }));
    req.end();
  });
}

describe.skipIf(!availability.ok)(`the kubelet scenarios on the real cluster lab${provided.ok ? '' : ` (skipped: ${provided.reason})`}`, () => {
  const lab = provided.ok ? provided : undefined;
  const node = lab?.up.node ?? '';
  const address = lab ? new URL(lab.up.target).hostname : '';
  let core: CoreV1Api;
  let dir: string;

  const { scenario, audit } = labSession(provided, () => dir, { scenarioMs: 150_000, auditMs: 120_000 });
  const verdict = verdictOf;
  const statuses = statusesOf;

  async function readNode() {
    const n = await core.readNode({ name: node });
    return { capacity: n.status?.capacity ?? {}, allocatable: n.status?.allocatable ?? {}, ready: n.status?.conditions?.find((c) => c.type === 'Ready') };
  }

  /** The lab's kubelet processes: a kubelet binary running in the worker's PID namespace. */
  async function labKubelets(): Promise<number[]> {
    if (!lab) throw new Error('unreachable: the describe is skipped without the lab');
    const init = (await readFile(join(lab.dir, 'run', 'node.pid'), 'utf8')).trim();
    const children = (await readFile(`/proc/${init}/task/${init}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
    const nodePid = children[0];
    if (!nodePid) throw new Error(`the lab's worker (unshare pid ${init}) has no PID 1`);
    const pidNs = await readlink(`/proc/${nodePid}/ns/pid_for_children`).catch(() => readlink(`/proc/${nodePid}/ns/pid`));
    const out: number[] = [];
    for (const p of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
      const argv0 = await readFile(`/proc/${p}/cmdline`, 'utf8').then((s) => s.split('\0')[0] ?? '', () => '');
      if (!argv0.endsWith('/kubelet')) continue;
      if ((await readlink(`/proc/${p}/ns/pid`).catch(() => '')) === pidNs) out.push(Number(p));
    }
    return out;
  }

  /** This host's machine-wide tunables the kubelet judges: the scenarios must never change them. */
  const hostTunables = () =>
    Promise.all(['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops', 'kernel/keys/root_maxkeys', 'kernel/keys/root_maxbytes'].map(async (k) => `${k}=${(await readFile(`/proc/sys/${k}`, 'utf8')).trim()}`));

  beforeAll(async () => {
    if (!lab) throw new Error('unreachable: the describe is skipped without the lab');
    dir = await mkdtemp(join(tmpdir(), 'ng-kubelet-scenarios-'));
    const kc = new KubeConfig();
    kc.loadFromFile(lab.up.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await scenario('healthy');
  }, 180_000);
  scenarioFileHooks('kubelet scenarios', lab?.dir, () => dir, 180_000);

  test('readonly-port without restart: the file says 10255, the running kubelet (/configz) 0; KUBELET-3.3.1 names both layers, KUBELET-3.5.1 passes', async () => {
    expect(await scenario('readonly-port')).toContain('the file says readOnlyPort 10255; the running kubelet still has 0');
    // The running kubelet really serves nothing there.
    expect(await get(`http://${address}:10255/healthz`)).toEqual({ code: 'ECONNREFUSED' });
    const r = await audit('readonly-port-file', ['KUBELET-3.3.1', 'KUBELET-3.5.1']);
    expect(statuses(r, ['KUBELET-3.3.1', 'KUBELET-3.5.1'])).toEqual({ 'KUBELET-3.3.1': 'pass', 'KUBELET-3.5.1': 'pass' });
    const ro = verdict(r, 'KUBELET-3.3.1');
    // /configz omits a zero readOnlyPort (omitempty): the running kubelet's 0 wins over the file's 10255.
    expect(ro.source).toBe('configz');
    expect(ro.actual).toContain('readOnlyPort = 0 (configz: readOnlyPort omitted (zero value))');
    expect(ro.actual).toContain('configz: readOnlyPort omitted (zero value) ← wins; file:/var/lib/kubelet/config.yaml: readOnlyPort: 10255');
    // In the drift's own words (issue 9 item 2): running from /configz, what the file says, not restarted.
    expect(ro.actual).toContain('readOnlyPort: running 0 from /configz, file says 10255: the kubelet was not restarted after the change');
    const listen = verdict(r, 'KUBELET-3.5.1');
    expect(listen.actual).toBe('no listener on :10255; runner GET /healthz: connection refused');
    expect(listen.source).toBe('ss -Htlnp; runner GET http://NODE:10255/healthz');
  }, 150_000);

  test('readonly-port --restart: KUBELET-3.3.1 fails with 10255 from /configz and KUBELET-3.5.1 fails on the real answer; healthy restores both', async () => {
    expect(await scenario('readonly-port', ['--restart'])).toContain('kubelet restarted with readOnlyPort 10255');
    // The restarted kubelet serves its unauthenticated read-only API: /healthz answers as the kubelet does.
    expect(await get(`http://${address}:10255/healthz`)).toEqual({ status: 200, body: 'ok' });
    const ids = ['KUBELET-3.3.1', 'KUBELET-3.5.1'];
    const r = await audit('readonly-port-restarted', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'KUBELET-3.3.1': 'fail', 'KUBELET-3.5.1': 'fail' });
    const ro = verdict(r, 'KUBELET-3.3.1');
    expect(ro.source).toBe('configz');
    expect(ro.actual).toBe('readOnlyPort = 10255 (configz: readOnlyPort: 10255)');
    expect(ro.message).toContain('readOnlyPort is 10255 (configz: readOnlyPort: 10255): the kubelet serves its unauthenticated read-only API on that port');
    const listen = verdict(r, 'KUBELET-3.5.1');
    expect(listen.message).toMatch(/the node listens on :10255 \(\*:10255 by users:\(\("kubelet",pid=\d+,fd=\d+\)\)\): the unauthenticated read-only API is served/);
    expect(listen.message).toContain('a kubelet answers GET http://NODE:10255/healthz (HTTP 200 "ok"): the read-only port is serving');
    expect(listen.actual).toMatch(/^listening: \*:10255 users:\(\("kubelet",pid=\d+,fd=\d+\)\); runner GET \/healthz: HTTP 200$/);

    await scenario('healthy');
    expect(await get(`http://${address}:10255/healthz`)).toEqual({ code: 'ECONNREFUSED' });
    const back = await audit('readonly-port-restored', ids);
    expect(statuses(back, ids)).toEqual({ 'KUBELET-3.3.1': 'pass', 'KUBELET-3.5.1': 'pass' });
    // File and running kubelet agree again: no layer disagreement left to report.
    expect(verdict(back, 'KUBELET-3.3.1').actual).toBe('readOnlyPort = 0 (configz: readOnlyPort omitted (zero value))');
  }, 150_000);

  test('reservations-removed: KUBELET-3.4.1/3.4.2 fail and RES-6.1.1 shows the arithmetic the real kubelet\'s allocatable agrees with; healthy restores it', async () => {
    const ids = ['KUBELET-3.4.1', 'KUBELET-3.4.2', 'RES-6.1.1'];
    expect(await scenario('reservations-removed')).toContain('the kubelet runs without systemReserved and kubeReserved');
    const removed = await readNode();
    const capacity = removed.capacity['memory'] ?? '';
    const allocatable = removed.allocatable['memory'] ?? '';
    // What the kubelet itself computed with no reservations: capacity minus the 500Mi hard eviction threshold.
    expect(bytes(capacity) - bytes(allocatable)).toBe(500n * 1024n ** 2n);
    const r = await audit('reservations-removed', ids);
    expect(statuses(r, ids)).toEqual({ 'KUBELET-3.4.1': 'fail', 'KUBELET-3.4.2': 'fail', 'RES-6.1.1': 'fail' });
    expect(verdict(r, 'KUBELET-3.4.1').message).toContain('systemReserved is {} (configz: systemReserved omitted (zero value)): cpu is not set (want 500m); memory is not set (want 1Gi); ephemeral-storage is not set (want 1Gi)');
    expect(verdict(r, 'KUBELET-3.4.2').message).toContain('kubeReserved is {} (configz: kubeReserved omitted (zero value)): cpu is not set (want 200m); memory is not set (want 512Mi); ephemeral-storage is not set (want 1Gi)');
    const res = verdict(r, 'RES-6.1.1');
    // The sum nodegate shows ends in the very allocatable the real kubelet reports, read here through the API.
    expect(res.message).toContain(`${capacity} − 0 − 0 − 500Mi = ${allocatable}`);
    expect(res.message).toContain(`With the profile's reservations it would be ${capacity} − 1Gi − 512Mi − 500Mi = `);
    expect(res.message).toContain('the kubelet reserves less than documented (see KUBELET-3.4.1–3.4.3)');
    expect(res.actual).toContain(`the API reports ${allocatable}`);
    expect(res.source).toBe(`Node ${node} status.capacity.memory (${capacity}); kubelet settings from configz`);

    await scenario('healthy');
    const healthy = await readNode();
    const restored = healthy.allocatable['memory'] ?? '';
    expect(bytes(healthy.capacity['memory'] ?? '') - bytes(restored)).toBe((1024n + 512n + 500n) * 1024n ** 2n);
    const back = await audit('reservations-restored', ids);
    expect(statuses(back, ids)).toEqual({ 'KUBELET-3.4.1': 'pass', 'KUBELET-3.4.2': 'pass', 'RES-6.1.1': 'pass' });
    expect(verdict(back, 'RES-6.1.1').actual).toBe(`${healthy.capacity['memory'] ?? ''} − 1Gi − 512Mi − 500Mi = ${restored} (≈${(Number(bytes(restored)) / 2 ** 30).toFixed(1)}Gi); the API reports ${restored}`);
  }, 150_000);

  test('anonymous-auth: anonymous authentication and AlwaysAllow, restarted; 10250 serves /pods to anyone, KUBELET-3.5.2 and the settings fail; healthy restores 401', async () => {
    const ids = ['KUBELET-3.3.4', 'KUBELET-3.3.5', 'KUBELET-3.5.2', 'KUBELET-3.5.3'];
    expect(await scenario('anonymous-auth')).toContain('kubelet restarted with anonymous authentication and AlwaysAllow authorization');
    const anonymous = await get(`https://${address}:10250/pods`);
    expect('status' in anonymous ? anonymous.status : anonymous.code).toBe(200);
    const r = await audit('anonymous-auth', ids, ['--live']);
    expect(statuses(r, ids)).toEqual({ 'KUBELET-3.3.4': 'fail', 'KUBELET-3.3.5': 'fail', 'KUBELET-3.5.2': 'fail', 'KUBELET-3.5.3': 'fail' });
    expect(verdict(r, 'KUBELET-3.3.4').message).toContain('authentication.anonymous.enabled is true (configz: authentication.anonymous.enabled: true): requests without credentials reach the kubelet API as system:anonymous');
    expect(verdict(r, 'KUBELET-3.3.5').message).toContain('authorization.mode is AlwaysAllow (configz: authorization.mode: "AlwaysAllow"): every authenticated request may exec into pods and read their logs');
    const anon = verdict(r, 'KUBELET-3.5.2');
    expect(anon.actual).toBe('HTTP 200');
    expect(anon.source).toBe(`runner: GET https://${address}:10250/pods with no credentials`);
    expect(anon.message).toContain('The kubelet served its pod list to an anonymous caller');
    expect(verdict(r, 'KUBELET-3.5.3').message).toContain('The kubelet served its pod list to a ServiceAccount no RBAC grants anything');

    await scenario('healthy');
    const refused = await get(`https://${address}:10250/pods`);
    expect('status' in refused ? refused.status : refused.code).toBe(401);
    const back = await audit('anonymous-restored', ids, ['--live']);
    expect(statuses(back, ids)).toEqual({ 'KUBELET-3.3.4': 'pass', 'KUBELET-3.3.5': 'pass', 'KUBELET-3.5.2': 'pass', 'KUBELET-3.5.3': 'pass' });
    expect(verdict(back, 'KUBELET-3.5.2').actual).toBe('HTTP 401');
  }, 180_000);

  test('the guide applied literally: protectKernelDefaults without its sysctls stops the real kubelet; HOST-1.4.5 fails and the kubelet rows say it is not running; healthy brings it back', async () => {
    if (!lab) throw new Error('unreachable: the describe is skipped without the lab');
    const hostBefore = await hostTunables();
    expect(await labKubelets()).toHaveLength(1);
    const logFile = join(lab.dir, 'node', 'log', 'kubelet.log');
    const logFrom = (await readFile(logFile)).length;
    const out = await scenario('kernel-defaults-unset');
    // The real kubelet's own words (pkg/kubelet/cm/container_manager_linux.go setupKernelTunables).
    expect(out).toContain('kernel-defaults-unset: the kubelet exited: ');
    expect(out).toContain('invalid kernel flag: vm/overcommit_memory, expected value: 1, actual value: 0');
    // What the restarted kubelet logged before it exited (the lines this case added to the worker's kubelet log).
    const log = (await readFile(logFile)).subarray(logFrom).toString('utf8');
    expect(log).toMatch(/"Failed to start ContainerManager" err=".*invalid kernel flag: vm\/overcommit_memory, expected value: 1, actual value: 0/);
    expect(log).toContain('invalid kernel flag: kernel/panic, expected value: 10, actual value: 0');
    expect(log).toContain('invalid kernel flag: kernel/panic_on_oops, expected value: 1, actual value: 0');
    expect(await labKubelets()).toEqual([]);
    expect(await get(`https://${address}:10250/healthz`)).toEqual({ code: 'ECONNREFUSED' });

    const kubeletIds = ['KUBELET-3.3.1', 'KUBELET-3.3.2', 'KUBELET-3.3.4', 'KUBELET-3.4.1', 'RES-6.1.1'];
    const ids = ['HOST-1.4.4', 'HOST-1.4.5', ...kubeletIds];
    const r = await audit('kernel-defaults-unset', ids);
    expect(r.exitCode).toBe(1);
    expect(statuses(r, ids)).toEqual({ 'HOST-1.4.4': 'pass', 'HOST-1.4.5': 'fail', 'KUBELET-3.3.1': 'error', 'KUBELET-3.3.2': 'error', 'KUBELET-3.3.4': 'error', 'KUBELET-3.4.1': 'error', 'RES-6.1.1': 'error' });
    const host = verdict(r, 'HOST-1.4.5');
    expect(host.message).toContain('vm.overcommit_memory is 0 now, not 1');
    expect(host.message).toContain('kernel.panic is 0 now, not 10');
    expect(host.message).toContain('kernel.panic_on_oops is 0 now, not 1');
    expect(host.message).toContain('With protectKernelDefaults on, the kubelet refuses to start while any of these differ.');
    expect(host.actual).toContain('running: vm.overcommit_memory = 0, vm.panic_on_oom = 0, kernel.panic = 0, kernel.panic_on_oops = 0');
    for (const id of kubeletIds) expect(verdict(r, id).message, id).toContain('no kubelet process is running');

    await scenario('healthy');
    expect(await labKubelets()).toHaveLength(1);
    expect((await readNode()).ready?.status).toBe('True');
    const back = await audit('kernel-defaults-restored', ids);
    expect(statuses(back, ids)).toEqual(Object.fromEntries(ids.map((id) => [id, 'pass'])));
    // The scenario changed the worker's own copies only: this host's kernel is as it was.
    expect(await hostTunables()).toEqual(hostBefore);
  }, 240_000);
});
