// The other objects a live run makes and reads inside its own namespace (a Service, a NetworkPolicy, a
// ServiceAccount token, a pod's log and events): no cleanup step of their own, the namespace's deletion takes them.
import { CoreV1Api, NetworkingV1Api, type CoreV1Event, type V1NetworkPolicy, type V1Service } from '@kubernetes/client-node';
import { statusMessage } from '../failure.ts';
import type { LiveRun } from './harness.ts';

/** An API answer that was not a success, kept typed so checks tell RBAC (403) from the kubelet (401/5xx). */
export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  readonly status: number | undefined;
  constructor(what: string, status: number | undefined, detail: string) {
    super(`${what}: ${status !== undefined ? `HTTP ${status}: ` : ''}${detail}`);
    this.status = status;
  }
}

/** Turns a client-node rejection into an ApiCallError naming the request. */
export function apiError(what: string, err: unknown): ApiCallError {
  if (err instanceof ApiCallError) return err;
  const e = err as { code?: unknown; body?: unknown; message?: unknown };
  const status = typeof e.code === 'number' ? e.code : undefined;
  const text = typeof e.message === 'string' ? e.message : String(err);
  // client-node's ApiException reads "HTTP-Code: N\nMessage: TEXT\nBody: …\nHeaders: {…}": without a Status body
  // (a kubelet's plain "Unauthorized" passed through) TEXT is the cause; the headers are audit IDs and dates.
  const apiException = /^HTTP-Code: \d+\s+Message: (.*?)\s+Body: /s.exec(text);
  return new ApiCallError(what, status, statusMessage(e.body) ?? apiException?.[1] ?? text);
}

async function call<T>(what: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw apiError(what, err);
  }
}

export function createService(run: LiveRun, body: V1Service): Promise<V1Service> {
  run.cleanup.signal.throwIfAborted();
  const core = run.kc.makeApiClient(CoreV1Api);
  return run.cleanup.track(call(`create services ${run.namespace}/${body.metadata?.name ?? ''}`, () => core.createNamespacedService({ namespace: run.namespace, body })));
}

export function createNetworkPolicy(run: LiveRun, body: V1NetworkPolicy): Promise<V1NetworkPolicy> {
  run.cleanup.signal.throwIfAborted();
  const net = run.kc.makeApiClient(NetworkingV1Api);
  return run.cleanup.track(call(`create networkpolicies ${run.namespace}/${body.metadata?.name ?? ''}`, () => net.createNamespacedNetworkPolicy({ namespace: run.namespace, body })));
}

export async function deleteNetworkPolicy(run: LiveRun, name: string): Promise<void> {
  run.cleanup.signal.throwIfAborted();
  const net = run.kc.makeApiClient(NetworkingV1Api);
  await call(`delete networkpolicies ${run.namespace}/${name}`, () => net.deleteNamespacedNetworkPolicy({ namespace: run.namespace, name }));
}

/** The pod's container output, read through the API server, which fetches it from the kubelet (KUBELET-3.5.4). */
export function podLog(run: LiveRun, pod: string, tailLines?: number): Promise<string> {
  const core = run.kc.makeApiClient(CoreV1Api);
  return call(`get pods/log ${run.namespace}/${pod}`, () => core.readNamespacedPodLog({ namespace: run.namespace, name: pod, ...(tailLines ? { tailLines } : {}) }));
}

/** The pod's events, oldest first, as "Reason: message" (what `kubectl describe` shows under Events). */
export async function podEvents(run: LiveRun, pod: string): Promise<string[]> {
  const core = run.kc.makeApiClient(CoreV1Api);
  const list = await call(`list events ${run.namespace}`, () => core.listNamespacedEvent({ namespace: run.namespace, fieldSelector: `involvedObject.name=${pod}` }));
  return list.items.map((e: CoreV1Event) => `${e.reason ?? '?'}: ${e.message ?? ''}`.trim());
}

/** A fresh ServiceAccount with no RBAC and a short-lived token for it (TokenRequest): KUBELET-3.5.3's caller. */
export async function freshServiceAccountToken(run: LiveRun, name: string): Promise<string> {
  run.cleanup.signal.throwIfAborted();
  const core = run.kc.makeApiClient(CoreV1Api);
  await run.cleanup.track(call(`create serviceaccounts ${run.namespace}/${name}`, () => core.createNamespacedServiceAccount({ namespace: run.namespace, body: { metadata: { name } } })));
  const tr = await call(`create serviceaccounts/token ${run.namespace}/${name}`, () =>
    core.createNamespacedServiceAccountToken({ namespace: run.namespace, name, body: { spec: { audiences: [], expirationSeconds: 600 } } }),
  );
  const token = tr.status?.token;
  if (!token) throw new ApiCallError(`create serviceaccounts/token ${run.namespace}/${name}`, 201, 'the TokenRequest came back without a token');
  return token;
}
