// The cluster lab (labs/cluster/up.sh) is real Kubernetes: before the cluster and live suites are judged on it,
// these cases prove the lab itself answers as a kubelet, a CNI policy controller and the OOM killer do.
// The cluster tier's global setup (test/cluster/global-setup.ts) brings the lab up, or uses one a person brought
// up; skipped, saying why, when this machine cannot run it (a failure under NODEGATE_REQUIRE_LABS=1).
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, NetworkingV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { requireLab } from '../support/lab-tier.ts';
import './lab-context.ts';

const provided = inject('clusterLab');
const availability = requireLab('cluster lab', provided.ok ? { ok: true } : { ok: false, reason: provided.reason });
const lab = provided.ok ? provided.up : undefined;
const quantities = z.record(z.string(), z.string()).optional();
const configzShape = z.object({ kubeletconfig: z.object({ systemReserved: quantities, kubeReserved: quantities, evictionHard: quantities }) });
const imagesFile = z.object({ cluster: z.object({ images: z.object({ web: z.string(), shell: z.string(), stress: z.string() }) }) });

/** Bytes of a Kubernetes memory quantity as the kubelet writes them (plain, Ki, Mi, Gi). */
function bytes(q: string): bigint {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`not a memory quantity this test reads: ${q}`);
  const unit = { Ki: 1024n, Mi: 1024n ** 2n, Gi: 1024n ** 3n }[m[2] ?? ''] ?? 1n;
  return BigInt(m[1] ?? '0') * unit;
}

/** The status code of an anonymous GET (no client certificate) to the kubelet's secure port. */
function anonymousStatus(host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: 10250, path, method: 'GET', rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`GET https://${host}:10250${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!availability.ok)(`the cluster lab${provided.ok ? '' : ` (skipped: ${provided.reason})`}`, () => {
  const kc = new KubeConfig();
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let images: z.infer<typeof imagesFile>['cluster']['images'];
  const namespace = `nodegate-lab-${randomBytes(3).toString('hex')}`;
  const node = lab?.node ?? '';
  const nodeAddress = lab ? new URL(lab.target).hostname : '';

  /** Polls the pod until `done` says so; throws with the last status after `seconds`. */
  async function waitPod(name: string, seconds: number, done: (p: V1Pod) => boolean): Promise<V1Pod> {
    const end = Date.now() + seconds * 1000;
    let last: V1Pod | undefined;
    while (Date.now() < end) {
      last = await core.readNamespacedPod({ name, namespace });
      if (done(last)) return last;
      await sleep(250);
    }
    throw new Error(`pod ${namespace}/${name} not done after ${seconds}s: ${JSON.stringify(last?.status?.containerStatuses ?? last?.status?.phase)}`);
  }

  const finished = (p: V1Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

  /** A busybox client that fetches the URL once: Succeeded when it got an answer, Failed when it did not. */
  async function fetchOnce(name: string, url: string): Promise<V1Pod['status']> {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, labels: { role: 'client' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'wget', image: images.shell, imagePullPolicy: 'Never', command: ['wget', '-qO-', '-T', '4', url] }] },
      },
    });
    return (await waitPod(name, 60, finished)).status;
  }

  beforeAll(async () => {
    if (!lab) throw new Error('unreachable: the describe is skipped without the lab');
    kc.loadFromFile(lab.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    net = kc.makeApiClient(NetworkingV1Api);
    const profileText = readFileSync(lab.images, 'utf8');
    // The profile is three lines of YAML the lab writes; read it without a YAML parser of its own.
    const pick = (key: string) => new RegExp(`^\\s+${key}: (\\S+)$`, 'm').exec(profileText)?.[1] ?? '';
    images = imagesFile.parse({ cluster: { images: { web: pick('web'), shell: pick('shell'), stress: pick('stress') } } }).cluster.images;
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'nodegate.io/lab-test': 'true' } } } });
  }, 60_000);

  afterAll(async () => {
    if (lab) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  });

  it('runs the kubelet and containerd the lab built, and the node is Ready', async () => {
    const n = await core.readNode({ name: node });
    expect(n.status?.nodeInfo?.kubeletVersion).toBe('v1.34.4');
    expect(n.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it("reports allocatable memory as capacity minus the reservations and hard eviction threshold of its /configz", async () => {
    const n = await core.readNode({ name: node });
    // client-node hands back the proxied body already parsed when it is JSON, as /configz is.
    const raw: unknown = await core.connectGetNodeProxyWithPath({ name: node, path: 'configz' });
    const k = configzShape.parse(typeof raw === 'string' ? JSON.parse(raw) : raw).kubeletconfig;
    const expected =
      bytes(n.status?.capacity?.['memory'] ?? '') -
      bytes(k.systemReserved?.['memory'] ?? '0') -
      bytes(k.kubeReserved?.['memory'] ?? '0') -
      bytes(k.evictionHard?.['memory.available'] ?? '0');
    expect(k.systemReserved?.['memory']).toBe('1Gi');
    expect(bytes(n.status?.allocatable?.['memory'] ?? '')).toBe(expected);
  });

  it('answers an anonymous request on 10250 with 401', async () => {
    expect(await anonymousStatus(nodeAddress, '/pods')).toBe(401);
    expect(await anonymousStatus(nodeAddress, '/configz')).toBe(401);
  });

  it('ends a pod that allocates past its memory limit OOMKilled', async () => {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'memory-bomb' },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'stress',
              image: images.stress,
              imagePullPolicy: 'Never',
              command: ['stress'],
              args: ['--vm', '1', '--vm-bytes', '500M', '--vm-hang', '1'],
              resources: { requests: { memory: '100Mi' }, limits: { memory: '200Mi' } },
            },
          ],
        },
      },
    });
    const p = await waitPod('memory-bomb', 60, (x) => x.status?.containerStatuses?.[0]?.state?.terminated !== undefined);
    expect(p.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('OOMKilled');
  });

  it('blocks a client with a deny-all ingress NetworkPolicy, and lets it through again once the policy is deleted', async () => {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: images.web, imagePullPolicy: 'Never', ports: [{ containerPort: 80 }] }] },
      },
    });
    const web = await waitPod('web', 60, (x) => x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
    const url = `http://${web.status?.podIP ?? ''}/`;
    expect((await fetchOnce('before', url))?.phase).toBe('Succeeded');

    await net.createNamespacedNetworkPolicy({
      namespace,
      body: { metadata: { name: 'deny-web-ingress' }, spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [] } },
    });
    // kube-router applies a policy within its sync; a client started right after may still get through once.
    await sleep(3000);
    expect((await fetchOnce('denied', url))?.phase).toBe('Failed');

    await net.deleteNamespacedNetworkPolicy({ name: 'deny-web-ingress', namespace });
    await sleep(3000);
    expect((await fetchOnce('after', url))?.phase).toBe('Succeeded');
  }, 240_000);
});
