// --nodes SELECTOR below the CLI: Nodes → SSH targets (pure), the settings it conflicts with, and the one list call
// against the fixture API server (selector sent, no match, 403, 400, retried 500, persistent 503).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Node } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fleetTargets, listNodesRequest } from '../../src/cluster/fleet.ts';
import { UnexpectedResponseError } from '../../src/cluster/read.ts';
import { ExitCode, NodegateError, UsageError } from '../../src/errors.ts';
import { expandFleet, FleetListError } from '../../src/run/fleet.ts';
import { resolveSettings, type Flags, type RunSettings } from '../../src/run/settings.ts';
import { parseTargetSpec } from '../../src/target/parse.ts';
import { healthy, node } from '../support/fake-apiserver-scenarios.ts';
import { startFakeApiServer, writeKubeconfig, type Fault, type KubeObject } from '../support/fake-apiserver.ts';

const ssh = { user: 'root', port: 22 };
const v1Node = (name: string, addresses: { type: string; address: string }[]): V1Node => ({ metadata: { name }, status: { addresses } });

describe('fleetTargets: Nodes to SSH targets', () => {
  test('InternalIP becomes ssh://USER@IP:PORT, sorted by node name, and every target parses as --target would', () => {
    const members = fleetTargets([
      v1Node('worker-02', [{ type: 'Hostname', address: 'worker-02' }, { type: 'InternalIP', address: '10.0.0.22' }]),
      v1Node('worker-01', [{ type: 'InternalIP', address: '10.0.0.21' }, { type: 'ExternalIP', address: '203.0.113.5' }]),
    ], { user: 'ngaudit', port: 2222 });
    expect(members).toEqual([
      { name: 'worker-01', target: 'ssh://ngaudit@10.0.0.21:2222' },
      { name: 'worker-02', target: 'ssh://ngaudit@10.0.0.22:2222' },
    ]);
    for (const m of members) if ('target' in m) expect(parseTargetSpec(m.target)).toMatchObject({ kind: 'ssh', user: 'ngaudit', port: 2222 });
  });

  test('IPv6 InternalIP is bracketed; a dual-stack Node uses its first InternalIP (the primary family, listed first)', () => {
    // Node.status.addresses lists one InternalIP per family on dual-stack, primary first:
    // https://kubernetes.io/docs/concepts/services-networking/dual-stack/ ("the kubelet ... --node-ip").
    const [v6, dual] = fleetTargets([
      v1Node('a-v6', [{ type: 'InternalIP', address: 'fd00::21' }]),
      v1Node('b-dual', [{ type: 'InternalIP', address: '10.0.0.30' }, { type: 'InternalIP', address: 'fd00::30' }]),
    ], ssh);
    expect(v6).toEqual({ name: 'a-v6', target: 'ssh://root@[fd00::21]:22' });
    expect(parseTargetSpec('target' in v6! ? v6.target : '')).toMatchObject({ host: 'fd00::21' });
    expect(dual).toEqual({ name: 'b-dual', target: 'ssh://root@10.0.0.30:22' });
  });

  test('a Node without an InternalIP stays in the fleet as unreachable, saying what it does list', () => {
    const members = fleetTargets([
      v1Node('edge-01', [{ type: 'ExternalIP', address: '203.0.113.9' }, { type: 'Hostname', address: 'edge-01' }]),
      { metadata: { name: 'fresh-01' } },
      v1Node('worker-01', [{ type: 'InternalIP', address: '10.0.0.21' }]),
    ], ssh);
    expect(members).toHaveLength(3);
    expect(members[0]).toEqual({ name: 'edge-01', unreachable: 'Node edge-01 has no InternalIP in status.addresses (it lists only ExternalIP 203.0.113.9, Hostname edge-01): nodegate cannot tell where to SSH' });
    expect(members[1]).toEqual({ name: 'fresh-01', unreachable: 'Node fresh-01 has no InternalIP in status.addresses (it lists no address): nodegate cannot tell where to SSH' });
    expect(members[2]).toEqual({ name: 'worker-01', target: 'ssh://root@10.0.0.21:22' });
  });

  test('a Node with no name is a response nodegate cannot use, not a nameless suite', () => {
    expect(() => fleetTargets([{ status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } }], ssh)).toThrow(UnexpectedResponseError);
  });
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-fleet-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const settingsOf = (flags: Flags, env: NodeJS.ProcessEnv = {}): Promise<RunSettings> => resolveSettings(flags, { HOME: dir, ...env }, dir);

async function usageMessage(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return (err as UsageError).oneLine();
}

describe('--nodes settings', () => {
  test('flag, NODEGATE_NODES and nodeSelector: in the config each set the fleet; user root and port 22 unless told', async () => {
    expect((await settingsOf({ nodes: 'pool=web' })).fleet).toEqual({ selector: 'pool=web', sshUser: 'root', sshPort: 22 });
    expect((await settingsOf({}, { NODEGATE_NODES: 'pool=db', NODEGATE_SSH_USER: 'ngaudit', NODEGATE_SSH_PORT: '2222' })).fleet)
      .toEqual({ selector: 'pool=db', sshUser: 'ngaudit', sshPort: 2222 });
    await writeFile(join(dir, 'nodegate.config.yaml'), 'nodeSelector: node-role.kubernetes.io/worker\nsshUser: audit\nsshPort: 2200\n');
    try {
      const s = await settingsOf({ sshUser: 'override' });
      expect(s.fleet).toEqual({ selector: 'node-role.kubernetes.io/worker', sshUser: 'override', sshPort: 2200 });
      // Until the cluster is listed the run has no nodes: nothing falls back to `local`.
      expect(s.nodes).toEqual([]);
    } finally {
      await rm(join(dir, 'nodegate.config.yaml'));
    }
  });

  test('--nodes with --target, --node, --snapshot or a nodes: list is a usage error naming the conflict', async () => {
    expect(await usageMessage(settingsOf({ nodes: 'pool=web', target: ['local'] }))).toMatch(/--nodes "pool=web" .* cannot be combined with --target/);
    expect(await usageMessage(settingsOf({ nodes: 'pool=web', node: ['worker-01'] }))).toMatch(/cannot be combined with --node/);
    expect(await usageMessage(settingsOf({ nodes: 'pool=web', snapshot: join(dir, 's.json') }))).toMatch(/cannot be combined with --snapshot/);
    const config = join(dir, 'list.yaml');
    await writeFile(config, 'nodes:\n  - { name: w1, target: local }\n');
    expect(await usageMessage(settingsOf({ nodes: 'pool=web', config }))).toMatch(/cannot be combined with "nodes" in .*list\.yaml/);
  });

  test('--ssh-user or --ssh-port without --nodes, an empty selector or a bad port are usage errors', async () => {
    expect(await usageMessage(settingsOf({ sshUser: 'x', target: ['ssh://root@10.0.0.1'] }))).toMatch(/--ssh-user applies to the Nodes --nodes lists/);
    expect(await usageMessage(settingsOf({ nodes: '  ' }))).toMatch(/the label selector is empty/);
    expect(await usageMessage(settingsOf({ nodes: 'a=b', sshPort: '70000' }))).toMatch(/--ssh-port: 70000 is not a port/);
    expect(await usageMessage(settingsOf({ nodes: 'a=b', sshPort: 'ssh' }))).toMatch(/--ssh-port: "ssh" is not a whole number/);
  });
});

const fleetNodes = (): KubeObject[] => {
  const base = node();
  const make = (name: string, labels: Record<string, string>, addresses: { type: string; address: string }[]): KubeObject => ({
    ...base,
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    status: { ...(base['status'] as Record<string, unknown>), addresses },
  });
  return [
    make('web-b', { pool: 'web' }, [{ type: 'InternalIP', address: '10.0.1.12' }]),
    make('web-a', { pool: 'web' }, [{ type: 'InternalIP', address: '10.0.1.11' }]),
    make('db-a', { pool: 'db' }, [{ type: 'InternalIP', address: '10.0.2.11' }]),
  ];
};

/** expandFleet against a fresh fixture server; `quick` keeps a persistent failure's retries short. */
async function expand(flags: Flags, extra: { forbidden?: string[]; faults?: Fault[] } = {}) {
  const api = await startFakeApiServer({ ...healthy(), name: 'fleet', objects: { ...healthy().objects, nodes: fleetNodes() }, ...extra });
  try {
    const kubeconfig = writeKubeconfig(join(dir, 'kc'), api);
    const settings = await settingsOf({ kubeconfig, ...flags });
    const quick = { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 20, maxRetryAfterMs: 20, maxRetryTimeMs: 2_000, attemptTimeoutMs: 2_000 };
    const result = await expandFleet(settings, quick).then((s) => ({ ok: true as const, s }), (e: unknown) => ({ ok: false as const, e }));
    return { result, requests: api.requests.filter((r) => r.path === '/api/v1/nodes') };
  } finally {
    await api.close();
  }
}

describe('expandFleet against the fixture API server', () => {
  test('one list call with the selector; the matching Nodes become the run nodes, named by metadata.name', async () => {
    const { result, requests } = await expand({ nodes: 'pool=web', sshUser: 'ngaudit', sshPort: '2222' });
    expect(result.ok && result.s.nodes).toEqual([
      { name: 'web-a', target: 'ssh://ngaudit@10.0.1.11:2222' },
      { name: 'web-b', target: 'ssh://ngaudit@10.0.1.12:2222' },
    ]);
    expect(requests).toHaveLength(1);
    expect(new URLSearchParams(requests[0]?.query).get('labelSelector')).toBe('pool=web');
  });

  test('no --nodes: the settings pass through and the API is not asked', async () => {
    const { result, requests } = await expand({ target: ['local'] });
    expect(result.ok && result.s.nodes).toEqual([{ target: 'local', name: '' }]);
    expect(requests).toHaveLength(0);
  });

  test('a selector matching no Node is a usage error (exit 2) naming the selector', async () => {
    const { result } = await expand({ nodes: 'pool=gpu' });
    expect(result.ok).toBe(false);
    const e = result.ok ? undefined : result.e;
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).message).toMatch(/^--nodes: selector "pool=gpu" matched no Node \(https:\/\/127\.0\.0\.1:\d+, context fake\)$/);
  });

  test('a forbidden list is exit 3 naming the verb, resource and the RBAC grant', async () => {
    const { result } = await expand({ nodes: 'pool=web' }, { forbidden: ['list nodes'] });
    const e = result.ok ? undefined : result.e;
    expect(e).toBeInstanceOf(FleetListError);
    expect((e as NodegateError).exitCode).toBe(ExitCode.unobservable);
    expect((e as NodegateError).oneLine()).toMatch(/forbidden: list nodes \(core\) at cluster scope .* — bind deploy\/rbac\.yaml's ClusterRole nodegate-read \(it grants "list nodes"\)/);
  });

  test('a 400 (the server rejects the selector) is a usage error; a 500 is retried; a lasting 503 is exit 3', async () => {
    const bad = await expand({ nodes: 'pool=web' }, { faults: [{ path: /^\/api\/v1\/nodes$/, status: 400, times: 1 }] });
    expect(bad.result.ok ? undefined : bad.result.e).toBeInstanceOf(UsageError);
    expect(bad.result.ok ? '' : (bad.result.e as UsageError).message).toMatch(/--nodes "pool=web": list nodes \(core\) at cluster scope answered HTTP 400/);

    const once = await expand({ nodes: 'pool=web' }, { faults: [{ path: /^\/api\/v1\/nodes$/, status: 500, times: 1 }] });
    expect(once.result.ok && once.result.s.nodes.map((n) => n.name)).toEqual(['web-a', 'web-b']);
    expect(once.requests.map((r) => r.status)).toEqual([500, 200]);

    const down = await expand({ nodes: 'pool=web' }, { faults: [{ path: /^\/api\/v1\/nodes$/, status: 503, times: 99 }] });
    const e = down.result.ok ? undefined : down.result.e;
    expect(e).toBeInstanceOf(FleetListError);
    expect((e as FleetListError).message).toMatch(/kept failing with HTTP 503 after retries/);
  });

  test('the hint is true: deploy/rbac.yaml\'s nodegate-read grants the one list --nodes makes', () => {
    type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[] };
    const docs = parseAllDocuments(readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: Rule[] });
    const rules = docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'nodegate-read')?.rules ?? [];
    const r = listNodesRequest();
    expect(rules.some((rule) => rule.verbs.includes(r.verb) && (rule.apiGroups ?? []).includes(r.group) && (rule.resources ?? []).includes(r.resource))).toBe(true);
  });

  test('--nodes with no kubeconfig anywhere is a usage error saying the selector needs the API', async () => {
    const settings = await settingsOf({ nodes: 'pool=web' });
    expect(await usageMessage(expandFleet(settings))).toMatch(/--nodes "pool=web" lists Nodes through the Kubernetes API, but no cluster configured/);
  });
});
