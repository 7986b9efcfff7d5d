// `nodegate --nodes SELECTOR` end to end: the real CLI lists Nodes from the fixture API server and audits each one
// over SSH at its InternalIP (a real sshd on loopback), one JUnit suite per node and area; a Node with no InternalIP
// is unobservable with that reason, and no match, a refused list and a conflicting flag end the run before any node.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, runVitestSuites } from '../support/cli.ts';
import { healthy, node } from '../support/fake-apiserver-scenarios.ts';
import { startFakeApiServer, writeKubeconfig, type FakeApiServer, type KubeObject, type Scenario } from '../support/fake-apiserver.ts';
import { readJUnit, type JUnitCase } from '../support/junit-read.ts';
import { startKubeletNamedProcess } from '../support/kubelet-process.ts';
import { requireLab } from '../support/lab-tier.ts';
import { freePort, generateKey, sshdUnavailable, startSshd, type Sshd } from '../support/sshd.ts';

const sshdReason = sshdUnavailable();
const sshdLab = requireLab('sshd lab', sshdReason === undefined ? { ok: true } : { ok: false, reason: sshdReason });

/** Nodes labelled pool=web (two on loopback, one with no InternalIP) and one pool=db that the selector leaves out. */
function fleet(): KubeObject[] {
  const base = node();
  const make = (name: string, pool: string, addresses: { type: string; address: string }[]): KubeObject => ({
    ...base,
    metadata: { name, labels: { 'kubernetes.io/hostname': name, pool } },
    status: { ...(base['status'] as Record<string, unknown>), addresses },
  });
  return [
    make('web-a', 'web', [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'web-a' }]),
    make('web-b', 'web', [{ type: 'InternalIP', address: '127.0.0.1' }]),
    make('web-c', 'web', [{ type: 'Hostname', address: 'web-c' }]),
    make('db-a', 'db', [{ type: 'InternalIP', address: '10.255.0.1' }]),
  ];
}

const fleetScenario = (over: Partial<Scenario> = {}): Scenario => ({ ...healthy(), name: 'fleet', objects: { ...healthy().objects, nodes: fleet() }, ...over });

let dir: string;
let key: string;
let knownHosts: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-fleet-cli-'));
  key = generateKey(join(dir, 'id'));
  knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withApi<T>(scenario: Scenario, fn: (api: FakeApiServer, kubeconfig: string) => Promise<T>): Promise<T> {
  const api = await startFakeApiServer(scenario);
  try {
    return await fn(api, writeKubeconfig(join(dir, `kc-${Math.random().toString(36).slice(2)}`), api));
  } finally {
    await api.close();
  }
}

const listCalls = (api: FakeApiServer) => api.requests.filter((r) => r.path === '/api/v1/nodes');
const suitesOf = (cases: readonly JUnitCase[]) => [...new Set(cases.map((c) => c.suite))].sort();
/** A JUnit suite is named "NODE AREA" (reporters/junit.ts). */
const nodeOf = (c: JUnitCase): string => c.suite.split(' ')[0] ?? '';

describe('nodegate --nodes: runs that end before any node', () => {
  test('a selector matching no Node is exit 2 "selector X matched no Node"', async () => {
    await withApi(fleetScenario(), async (api, kubeconfig) => {
      const r = await runCli(['--nodes', 'pool=gpu', '--kubeconfig', kubeconfig], { timeoutMs: 60_000 });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^nodegate: --nodes: selector "pool=gpu" matched no Node \(https:\/\/127\.0\.0\.1:\d+, context fake\) — check it with kubectl get nodes -l SELECTOR/);
      expect(listCalls(api)).toHaveLength(1);
    });
  }, 90_000);

  test('a list the API forbids is exit 3, naming the verb, the resource and the grant', async () => {
    await withApi(fleetScenario({ forbidden: ['list nodes'] }), async (_api, kubeconfig) => {
      const r = await runCli(['--nodes', 'pool=web', '--kubeconfig', kubeconfig], { timeoutMs: 60_000 });
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/nodegate: --nodes "pool=web": the Nodes could not be listed: forbidden: list nodes \(core\) at cluster scope/);
      expect(r.stderr).toMatch(/ — bind deploy\/rbac\.yaml's ClusterRole nodegate-read \(it grants "list nodes"\) to the identity in the kubeconfig$/m);
    });
  }, 90_000);

  test('--nodes with --target is exit 2 before the API is asked; --help lists the flags', async () => {
    await withApi(fleetScenario(), async (api, kubeconfig) => {
      const r = await runCli(['--nodes', 'pool=web', '--target', 'local', '--kubeconfig', kubeconfig], { timeoutMs: 60_000 });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/--nodes "pool=web" audits the Nodes the cluster lists: it cannot be combined with --target/);
      expect(listCalls(api)).toHaveLength(0);
    });
    const help = await runCli(['--help'], { timeoutMs: 30_000 });
    for (const flag of ['--nodes SELECTOR', '--ssh-user USER', '--ssh-port PORT']) expect(help.stdout).toContain(flag);
  }, 90_000);
});

describe('nodegate --nodes: every matching Node is audited', () => {
  test('nothing listens at the InternalIP: each node is unobservable at ssh://USER@IP:PORT, the one without an address says so', async () => {
    const closed = await freePort();
    await withApi(fleetScenario(), async (api, kubeconfig) => {
      const junit = join(dir, 'closed.xml');
      const r = await runCli(['--nodes', 'pool=web', '--ssh-user', 'ngaudit', '--ssh-port', String(closed), '--identity', key, '--known-hosts', knownHosts,
        '--kubeconfig', kubeconfig, '--only', 'HOST-1.1.3', '--junit', junit, '--connect-timeout', '3'], { timeoutMs: 90_000 });
      expect(r.exitCode).toBe(3);
      const cases = readJUnit(await readFile(junit, 'utf8'));
      // web-c is reported, not dropped; db-a (pool=db) is not part of the run.
      expect(cases.map((c) => `${nodeOf(c)} ${c.id} ${c.status}`).sort())
        .toEqual(['web-a HOST-1.1.3 error', 'web-b HOST-1.1.3 error', 'web-c HOST-1.1.3 error']);
      const message = (name: string) => cases.find((c) => nodeOf(c) === name)?.message ?? '';
      expect(message('web-a')).toContain(`ssh://ngaudit@127.0.0.1:${closed}`);
      expect(message('web-c')).toContain('Node web-c has no InternalIP in status.addresses (it lists only Hostname web-c)');
      expect(r.stderr).toContain('nodegate: web-c: Node web-c has no InternalIP');
      expect(listCalls(api)).toHaveLength(1);
      expect(new URLSearchParams(listCalls(api)[0]?.query).get('labelSelector')).toBe('pool=web');
    });
  }, 120_000);

  test('plain `vitest run suites/host` with NODEGATE_NODES lists the same fleet and reports every matching node', async () => {
    const closed = await freePort();
    await withApi(fleetScenario(), async (api, kubeconfig) => {
      const junit = join(dir, 'vitest.xml');
      const r = await runVitestSuites(['suites/host'], { timeoutMs: 120_000, env: {
        NODEGATE_NODES: 'pool=web', NODEGATE_SSH_PORT: String(closed), NODEGATE_IDENTITY: key, NODEGATE_KNOWN_HOSTS: knownHosts,
        NODEGATE_KUBECONFIG: kubeconfig, NODEGATE_ONLY: 'HOST-1.1.3', NODEGATE_JUNIT: junit, NODEGATE_CONNECT_TIMEOUT: '3',
      } });
      const cases = readJUnit(await readFile(junit, 'utf8'));
      expect(cases.map((c) => `${nodeOf(c)} ${c.id} ${c.status}`).sort()).toEqual(['web-a HOST-1.1.3 error', 'web-b HOST-1.1.3 error', 'web-c HOST-1.1.3 error']);
      expect(cases.find((c) => nodeOf(c) === 'web-b')?.message).toContain(`ssh://root@127.0.0.1:${closed}`);
      expect(listCalls(api)).toHaveLength(1);
      expect(r.exitCode).toBe(3);
    });
  }, 150_000);

  describe.skipIf(!sshdLab.ok)(`over a real sshd on loopback${sshdLab.ok ? '' : ` (skipped: ${sshdLab.ok ? '' : sshdLab.reason})`}`, () => {
    let sshd: Sshd;
    let kubelet: ChildProcess | undefined;
    beforeAll(async () => {
      sshd = await startSshd();
      // The loopback "nodes" are this machine, whose processes decide KUBELET-3.1.4's stale-Ready rule.
      kubelet = await startKubeletNamedProcess(dir);
    });
    afterAll(async () => {
      kubelet?.kill();
      await sshd?.stop();
    });

    test('two Nodes at 127.0.0.1 are probed over SSH in parallel and judged, each with its own suites; the third is unobservable', async () => {
      await withApi(fleetScenario(), async (api, kubeconfig) => {
        const junit = join(dir, 'sshd.xml');
        const before = (sshd.log().match(/Accepted publickey for root/g) ?? []).length;
        const r = await runCli(['--nodes', 'pool=web', '--ssh-port', String(sshd.port), '--identity', sshd.clientKeyPath, '--known-hosts', sshd.knownHostsPath,
          '--kubeconfig', kubeconfig, '--concurrency', '2', '--only', 'HOST-1.1.3,KUBELET-3.1.4', '--junit', junit], { timeoutMs: 150_000 });
        const cases = readJUnit(await readFile(junit, 'utf8'));
        const of = (n: string, id: string) => cases.find((c) => nodeOf(c) === n && c.id === id);
        for (const n of ['web-a', 'web-b']) {
          // Observed over SSH as root (the default user): the kernel check has a verdict, not an unobservable error.
          expect(['pass', 'fail'], `${n} ${of(n, 'HOST-1.1.3')?.message}`).toContain(of(n, 'HOST-1.1.3')?.status);
          // The cluster side is read per node by its metadata.name: the Node is Ready, and its probe found a kubelet.
          expect(of(n, 'KUBELET-3.1.4')?.status, of(n, 'KUBELET-3.1.4')?.message).toBe('pass');
          expect(api.requests.filter((q) => q.path === `/api/v1/nodes/${n}`)).toHaveLength(1);
        }
        expect(of('web-c', 'HOST-1.1.3')?.status).toBe('error');
        expect(of('web-c', 'HOST-1.1.3')?.message).toMatch(/no InternalIP/);
        // One suite per node and area: host and kubelet for each of the three.
        expect(suitesOf(cases)).toEqual(['web-a host', 'web-a kubelet', 'web-b host', 'web-b kubelet', 'web-c host', 'web-c kubelet']);
        expect((sshd.log().match(/Accepted publickey for root/g) ?? []).length - before).toBeGreaterThanOrEqual(2);
        // A node that could not be observed at all: exit 3, whatever the others said.
        expect(r.exitCode).toBe(3);
      });
    }, 180_000);
  });
});
