// A fixture Kubernetes API server for the cluster tests: HTTPS on 127.0.0.1 with a certificate made at test time,
// bearer-token auth, the real REST wire format (lists, gets, watches from a resourceVersion, Status errors,
// server-side dry-run, the node proxy's /configz) and scenario-driven faults. It tests nodegate, not Kubernetes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KubeObject = Record<string, unknown> & { metadata?: Record<string, unknown> };

/** A fault answered instead of the real response, `times` times (then the request is served normally). */
export interface Fault {
  readonly method?: string;
  /** Matched against the request path (no query). */
  readonly path: RegExp;
  readonly status: number;
  readonly times: number;
  readonly retryAfter?: string;
  /** Destroy the socket instead of answering (a connection reset). */
  readonly reset?: boolean;
  /** Never answer (a server that accepted the connection and hangs). */
  readonly hang?: boolean;
}

/** Admission of a create: undefined admits; a message rejects it as Pod Security would (403 Forbidden). */
export type Admission = (resource: string, namespace: string, object: KubeObject) => string | undefined;

export interface Scenario {
  readonly name: string;
  readonly version: { readonly major: string; readonly minor: string; readonly gitVersion: string };
  /** Collections: resource path key → objects. Keys: nodes, namespaces, pods, networkpolicies. */
  readonly objects: Readonly<Record<string, readonly KubeObject[]>>;
  /** /configz per node name. */
  readonly configz: Readonly<Record<string, unknown>>;
  /** metrics.k8s.io NodeMetrics per node name; absent means metrics-server is not installed (404). */
  readonly nodeMetrics?: Readonly<Record<string, KubeObject>>;
  readonly faults?: readonly Fault[];
  /** Namespaced resources the token may not touch, as "verb resource" ("list pods"): answered 403. */
  readonly forbidden?: readonly string[];
  readonly admission?: Admission;
  /**
   * How a created pod ends: status updates applied after a delay each, as the kubelet would post them. Decided
   * when the pod is created, from the store as it is then (a NetworkPolicy present, a Service's endpoints).
   */
  readonly podLifecycle?: (pod: KubeObject, store: StoreView) => readonly PodStep[];
  /** How the kubelet answers a pods/log read that the API server forwards (undefined: the log is served). */
  readonly podLogFault?: { readonly status: number; readonly message: string };
}

/** What a lifecycle may look at when it decides how a pod ends. */
export interface StoreView {
  objects(resource: string, namespace?: string): KubeObject[];
}

/** One status the pod reaches `afterMs` after the previous step (or its creation). */
export interface PodStep {
  readonly afterMs: number;
  readonly status: Record<string, unknown>;
  /** Lines the container printed by then (appended to its log, served by pods/NAME/log). */
  readonly log?: string;
  /** An Event the kubelet records about the pod at this step (what `kubectl describe` lists). */
  readonly event?: { readonly type: 'Normal' | 'Warning'; readonly reason: string; readonly message: string };
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly at: number;
}

export interface FakeApiServer {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** The store, for assertions: resource → objects (namespaced ones carry metadata.namespace). */
  objects(resource: string): KubeObject[];
  close(): Promise<void>;
}

interface Stored {
  readonly resource: string;
  object: KubeObject;
}

interface WatchEvent {
  readonly rv: number;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
}

const kinds: Readonly<Record<string, { kind: string; apiVersion: string; namespaced: boolean }>> = {
  nodes: { kind: 'Node', apiVersion: 'v1', namespaced: false },
  namespaces: { kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  pods: { kind: 'Pod', apiVersion: 'v1', namespaced: true },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  services: { kind: 'Service', apiVersion: 'v1', namespaced: true },
  serviceaccounts: { kind: 'ServiceAccount', apiVersion: 'v1', namespaced: true },
  events: { kind: 'Event', apiVersion: 'v1', namespaced: true },
};

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI in a temporary directory. */
export function makeCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nodegate-fake-api-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let cachedCert: { cert: string; key: string } | undefined;

/** A Status object as the API server sends it with an error. */
export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const reasons: Readonly<Record<number, string>> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'AlreadyExists', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

const meta = (o: KubeObject): Record<string, unknown> => (o.metadata ??= {});
const nameOf = (o: KubeObject): string => String(meta(o)['name'] ?? '');
const nsOf = (o: KubeObject): string | undefined => (typeof meta(o)['namespace'] === 'string' ? String(meta(o)['namespace']) : undefined);
const labelsOf = (o: KubeObject): Record<string, string> => (meta(o)['labels'] as Record<string, string> | undefined) ?? {};

/** Equality-based label selectors ("a=b,c", "a!=b"): what the suites send. */
export function matchesLabels(o: KubeObject, selector: string): boolean {
  const labels = labelsOf(o);
  return selector
    .split(',')
    .filter(Boolean)
    .every((term) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(term);
      if (ne) return labels[ne[1] ?? ''] !== ne[2];
      const eq = /^([^=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1] ?? ''] === eq[2];
      return term in labels;
    });
}

/** The field selectors the suites send: spec.nodeName=X, metadata.name=X. */
function matchesFields(o: KubeObject, selector: string): boolean {
  return selector
    .split(',')
    .filter(Boolean)
    .every((term) => {
      const [path = '', want = ''] = term.split('=');
      let v: unknown = o;
      for (const k of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
      return String(v ?? '') === want;
    });
}

export async function startFakeApiServer(scenario: Scenario, options: { token?: string } = {}): Promise<FakeApiServer> {
  cachedCert ??= makeCertificate();
  const { cert, key } = cachedCert;
  const token = options.token ?? 'nodegate-test-token';
  const requests: RecordedRequest[] = [];
  let rv = 100;
  const store: Stored[] = [];
  const events: WatchEvent[] = [];
  const watchers = new Set<(e: WatchEvent) => void>();
  const faults = (scenario.faults ?? []).map((f) => ({ ...f, left: f.times }));
  const timers = new Set<NodeJS.Timeout>();
  /** Container output per pod ("ns/name"), as the kubelet would stream it through pods/log. */
  const logs = new Map<string, string>();

  /** Plays a scenario's lifecycle for a stored pod: each step replaces its status and emits MODIFIED. */
  const play = (stored: Stored): void => {
    const view: StoreView = { objects: (resource, ns) => store.filter((s) => s.resource === resource && (ns === undefined || nsOf(s.object) === ns)).map((s) => s.object) };
    const key = `${nsOf(stored.object) ?? ''}/${nameOf(stored.object)}`;
    const steps = [...(scenario.podLifecycle?.(stored.object, view) ?? [])];
    // Each step is scheduled when the previous one has been applied: timers of different lengths that are all
    // overdue (a loaded machine) may fire in any order, which once ended a pod Running after it had Failed.
    const next = (): void => {
      const step = steps.shift();
      if (!step) return;
      const t = setTimeout(() => {
        timers.delete(t);
        if (!store.includes(stored)) return;
        if (step.log !== undefined) logs.set(key, (logs.get(key) ?? '') + step.log);
        if (step.event) {
          const ns = nsOf(stored.object);
          const name = `${nameOf(stored.object)}.${rv + 1}`;
          store.push({ resource: 'events', object: put('events', { metadata: { name, namespace: ns }, involvedObject: { kind: 'Pod', namespace: ns, name: nameOf(stored.object) }, ...step.event, source: { component: 'kubelet', host: 'worker-01' }, count: 1 }, 'ADDED') });
        }
        stored.object = put('pods', { ...stored.object, status: step.status }, 'MODIFIED');
        next();
      }, step.afterMs);
      timers.add(t);
    };
    next();
  };

  const put = (resource: string, object: KubeObject, type: WatchEvent['type']): KubeObject => {
    rv++;
    const k = kinds[resource];
    // A fresh metadata object per version: an update must not rewrite the resourceVersion of an event already
    // recorded (a watch replaying it would then skip the events after it).
    const m: Record<string, unknown> = { ...meta(object) };
    m['resourceVersion'] = String(rv);
    m['uid'] ??= `uid-${rv}`;
    m['creationTimestamp'] ??= new Date().toISOString();
    const full: KubeObject = { apiVersion: k?.apiVersion, kind: k?.kind, ...object, metadata: m };
    const e: WatchEvent = { rv, resource, namespace: nsOf(full), type, object: full };
    events.push(e);
    for (const w of watchers) w(e);
    return full;
  };
  for (const [resource, list] of Object.entries(scenario.objects)) {
    for (const o of list) store.push({ resource, object: put(resource, structuredClone(o), 'ADDED') });
  }

  const find = (resource: string, ns: string | undefined, name: string): Stored | undefined =>
    store.find((s) => s.resource === resource && nameOf(s.object) === name && (ns === undefined || nsOf(s.object) === ns));

  const send = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const q = url.searchParams;
    const record = (code: number): void => {
      requests.push({ method, path, query: url.search, status: code, at: Date.now() });
    };
    const reply = (code: number, body: unknown, headers: Record<string, string> = {}): void => {
      record(code);
      send(res, code, body, headers);
    };
    const fail = (code: number, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}): void =>
      reply(code, status(code, reasons[code] ?? 'Unknown', message, details), headers);

    if (req.headers.authorization !== `Bearer ${token}`) return fail(401, 'Unauthorized');
    const fault = faults.find((f) => f.left > 0 && f.path.test(path) && (f.method === undefined || f.method === method));
    if (fault) {
      fault.left--;
      if (fault.reset) {
        record(0);
        req.socket.destroy();
        return;
      }
      if (fault.hang) {
        record(0);
        return;
      }
      return fail(fault.status, fault.status === 429 ? 'Too many requests, please try again later.' : 'Internal error occurred: etcdserver: request timed out', undefined, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    }

    if (path === '/version' && method === 'GET') return reply(200, { ...scenario.version, gitCommit: '0000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' });

    const proxy = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/(.*)$/.exec(path);
    if (proxy && method === 'GET') {
      const node = decodeURIComponent(proxy[1] ?? '');
      if (scenario.forbidden?.includes('get nodes/proxy')) return fail(403, `nodes "${node}" is forbidden: User "system:serviceaccount:nodegate:nodegate" cannot get resource "nodes/proxy" in API group "" at the cluster scope`, { name: node, kind: 'nodes' });
      if (!find('nodes', undefined, node)) return fail(404, `nodes "${node}" not found`, { name: node, kind: 'nodes' });
      if (proxy[2] === 'configz' && scenario.configz[node] !== undefined) return reply(200, scenario.configz[node]);
      return fail(503, `error trying to reach service: dial tcp: connection refused`);
    }

    const metrics = /^\/apis\/metrics\.k8s\.io\/v1beta1\/nodes\/([^/]+)$/.exec(path);
    if (metrics && method === 'GET') {
      const m = scenario.nodeMetrics?.[decodeURIComponent(metrics[1] ?? '')];
      if (!scenario.nodeMetrics) return fail(404, 'the server could not find the requested resource');
      if (!m) return fail(404, `nodemetrics.metrics.k8s.io "${metrics[1]}" not found`);
      return reply(200, m);
    }

    // Subresources the live checks use: a pod's log (forwarded to the kubelet) and a ServiceAccount's TokenRequest.
    const sub = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|serviceaccounts)\/([^/]+)\/(log|token)$/.exec(path);
    if (sub) {
      const [, ns3 = '', res3 = '', name3 = '', what = ''] = sub.map((x) => decodeURIComponent(x ?? ''));
      const verb3 = what === 'log' ? 'get' : 'create';
      if ((what === 'log') !== (method === 'GET')) return fail(405, 'the server does not allow this method on the requested resource');
      if (scenario.forbidden?.includes(`${verb3} ${res3}/${what}`)) return fail(403, `${res3} "${name3}" is forbidden: User "system:serviceaccount:nodegate:nodegate" cannot ${verb3} resource "${res3}/${what}" in API group "" in the namespace "${ns3}"`, { name: name3, kind: res3 });
      const hit = find(res3, ns3, name3);
      if (!hit) return fail(404, `${res3} "${name3}" not found`, { name: name3, kind: res3 });
      if (what === 'token') {
        await readBody(req);
        return reply(201, { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { name: name3, namespace: ns3 }, spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 600 }, status: { token: `sa-token.${ns3}.${name3}`, expirationTimestamp: new Date(Date.now() + 600_000).toISOString() } });
      }
      const phase = String((hit.object['status'] as Record<string, unknown> | undefined)?.['phase'] ?? 'Pending');
      if (phase === 'Pending') return fail(400, `container "c" in pod "${name3}" is waiting to start: ContainerCreating`);
      if (scenario.podLogFault) return fail(scenario.podLogFault.status, scenario.podLogFault.message);
      const text = logs.get(`${ns3}/${name3}`) ?? '';
      const tail = Number(q.get('tailLines') ?? '0');
      const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
      record(200);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(tail > 0 ? lines.slice(-tail).map((l) => `${l}\n`).join('') : text);
      return;
    }

    // /api/v1[/namespaces/NS]/RESOURCE[/NAME] and /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME]
    const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?$/.exec(path);
    const resource = m?.[2] ?? '';
    const kind = kinds[resource];
    if (!m || !kind) {
      // /api/v1/namespaces/NAME is a get of a namespace, not a namespaced collection.
      const nsGet = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(path);
      if (nsGet) return objectRoute('namespaces', undefined, decodeURIComponent(nsGet[1] ?? ''));
      return fail(404, 'the server could not find the requested resource');
    }
    const ns = m[1] ? decodeURIComponent(m[1]) : undefined;
    const name = m[3] ? decodeURIComponent(m[3]) : undefined;
    if (name !== undefined) return objectRoute(resource, ns, name);

    const verb = method === 'POST' ? 'create' : q.get('watch') === 'true' || q.get('watch') === '1' ? 'watch' : 'list';
    if (scenario.forbidden?.includes(`${verb} ${resource}`)) {
      return fail(403, `${resource} is forbidden: User "system:serviceaccount:nodegate:nodegate" cannot ${verb} resource "${resource}" in API group "${kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : ''}" ${ns ? `in the namespace "${ns}"` : 'at the cluster scope'}`, { kind: resource });
    }
    if (method === 'POST') {
      const body = JSON.parse(await readBody(req)) as KubeObject;
      if (kind.namespaced) {
        if (ns === undefined) return fail(405, 'the server does not allow this method on the requested resource');
        if (!find('namespaces', undefined, ns)) return fail(404, `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
        meta(body)['namespace'] = ns;
      }
      const bodyName = nameOf(body);
      if (bodyName === '') return fail(422, `${kind.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
      if (find(resource, ns, bodyName)) return fail(409, `${resource} "${bodyName}" already exists`, { name: bodyName, kind: resource });
      const denied = scenario.admission?.(resource, ns ?? '', body);
      if (denied !== undefined) return fail(403, `${resource} "${bodyName}" is forbidden: ${denied}`, { name: bodyName, kind: resource });
      if (q.get('dryRun') === 'All') {
        // Server-side dry run: admitted and defaulted, never stored.
        return reply(201, { apiVersion: kind.apiVersion, kind: kind.kind, ...body, metadata: { ...meta(body), uid: 'dry-run', creationTimestamp: new Date().toISOString() } });
      }
      const entry: Stored = { resource, object: put(resource, { ...body, ...(resource === 'pods' ? { status: { phase: 'Pending' } } : {}) }, 'ADDED') };
      store.push(entry);
      if (resource === 'pods') play(entry);
      return reply(201, entry.object);
    }
    if (method !== 'GET') return fail(405, 'the server does not allow this method on the requested resource');

    const select = (o: KubeObject): boolean =>
      (ns === undefined || nsOf(o) === ns) && matchesLabels(o, q.get('labelSelector') ?? '') && matchesFields(o, q.get('fieldSelector') ?? '');
    if (verb === 'watch') {
      const from = q.get('resourceVersion') ?? '';
      // No resourceVersion (or "0"): the real server starts with a synthetic ADDED for every object that exists.
      const initial = from === '' || from === '0' ? store.filter((s) => s.resource === resource && select(s.object)).map((s) => s.object) : [];
      return watch(req, res, resource, select, initial.length || from === '' || from === '0' ? rv : Number(from), Number(q.get('timeoutSeconds') ?? 30), initial);
    }
    const items = store.filter((s) => s.resource === resource && select(s.object)).map((s) => s.object);
    return reply(200, { apiVersion: kind.apiVersion, kind: `${kind.kind}List`, metadata: { resourceVersion: String(rv) }, items });

    function objectRoute(res2: string, ns2: string | undefined, name2: string): void {
      const k = kinds[res2];
      const verb2 = method === 'DELETE' ? 'delete' : 'get';
      if (scenario.forbidden?.includes(`${verb2} ${res2}`)) return fail(403, `${res2} "${name2}" is forbidden: User "system:serviceaccount:nodegate:nodegate" cannot ${verb2} resource "${res2}"`, { name: name2, kind: res2 });
      const hit = find(res2, ns2, name2);
      if (!hit || !k) return fail(404, `${res2} "${name2}" not found`, { name: name2, kind: res2 });
      if (method === 'GET') return reply(200, hit.object);
      if (method === 'DELETE') {
        // A namespace takes its objects with it (the real one goes Terminating first; the end state is the same).
        const gone = store.filter((s) => s === hit || (res2 === 'namespaces' && nsOf(s.object) === name2));
        for (const g of gone) {
          store.splice(store.indexOf(g), 1);
          put(g.resource, g.object, 'DELETED');
        }
        return reply(200, status(200, '', '', { name: name2, kind: res2 }));
      }
      return fail(405, 'the server does not allow this method on the requested resource');
    }
  };

  const watch = (req: IncomingMessage, res: ServerResponse, resource: string, select: (o: KubeObject) => boolean, from: number, timeoutSeconds: number, initial: readonly KubeObject[] = []): void => {
    const oldest = events.find((e) => e.resource === resource)?.rv ?? rv;
    if (from + 1 < oldest) {
      // The real server answers an expired resourceVersion inside the watch stream as an ERROR event with 410.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${oldest})`) })}\n`);
      return;
    }
    requests.push({ method: 'GET', path: req.url ?? '', query: '', status: 200, at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    for (const o of initial) res.write(`${JSON.stringify({ type: 'ADDED', object: o })}\n`);
    const emit = (e: WatchEvent): void => {
      if (e.resource === resource && e.rv > from && select(e.object)) res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
    };
    for (const e of events) emit(e);
    watchers.add(emit);
    const end = (): void => {
      watchers.delete(emit);
      clearTimeout(timer);
      res.end();
    };
    const timer = setTimeout(end, timeoutSeconds * 1000);
    req.on('close', end);
  };

  const server: Server = createServer({ cert, key }, (req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, status(500, 'InternalError', err instanceof Error ? err.message : String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    caPem: cert,
    token,
    requests,
    objects: (resource) => store.filter((s) => s.resource === resource).map((s) => s.object),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A kubeconfig for the fake server (CA inline, bearer token), written where the test says. */
export function writeKubeconfig(path: string, api: Pick<FakeApiServer, 'url' | 'caPem' | 'token'>, context = 'fake'): string {
  const ca = Buffer.from(api.caPem).toString('base64');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `current-context: ${context}`,
      'clusters:',
      `- name: ${context}-cluster`,
      '  cluster:',
      `    server: ${api.url}`,
      `    certificate-authority-data: ${ca}`,
      'users:',
      `- name: ${context}-user`,
      '  user:',
      `    token: ${api.token}`,
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}-cluster`,
      `    user: ${context}-user`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return path;
}
