// Waits for a probe pod to reach a terminal state (or a condition) through a watch from the pod's own
// resourceVersion, with an explicit timeout and the run's abort signal; a timeout names the last state seen.
// A watch that is merely idle (a slow image pull posts no status for minutes) is restarted, never counted as failed.
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export interface ContainerEnd {
  readonly name: string;
  readonly state: 'running' | 'waiting' | 'terminated' | 'unknown';
  readonly exitCode?: number;
  readonly reason?: string;
}

export interface PodOutcome {
  readonly phase: string;
  readonly containers: readonly ContainerEnd[];
  readonly pod: V1Pod;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}
export class PodGoneError extends Error {
  override readonly name = 'PodGoneError';
}

export function podOutcome(pod: V1Pod): PodOutcome {
  const containers = (pod.status?.containerStatuses ?? []).map((s): ContainerEnd => {
    const t = s.state?.terminated;
    if (t) return { name: s.name, state: 'terminated', exitCode: t.exitCode, ...(t.reason ? { reason: t.reason } : {}) };
    if (s.state?.waiting) return { name: s.name, state: 'waiting', ...(s.state.waiting.reason ? { reason: s.state.waiting.reason } : {}) };
    return { name: s.name, state: s.state?.running ? 'running' : 'unknown' };
  });
  return { phase: pod.status?.phase ?? 'Unknown', containers, pod };
}

const describe = (o: PodOutcome): string =>
  `phase ${o.phase}${o.containers.length ? `, ${o.containers.map((c) => `${c.name} ${c.state}${c.reason ? ` (${c.reason})` : ''}${c.exitCode !== undefined ? ` exit ${c.exitCode}` : ''}`).join(', ')}` : ''}`;

export const isTerminal = (o: PodOutcome): boolean => o.phase === 'Succeeded' || o.phase === 'Failed';

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Resolve when this holds; terminal phases by default. */
  readonly until?: (o: PodOutcome) => boolean;
  /**
   * How long one watch may go without a byte before client-node aborts it (its Watch.requestTimeoutMs, 30 s by
   * default); the wait then watches again from the last resourceVersion. Injectable so a test need not idle 30 s.
   */
  readonly watchIdleMs?: number;
}

/**
 * client-node's Watch ends an idle watch with a DOMException named TimeoutError (its `code` is 23, the legacy
 * DOMException code, not an HTTP status): node_modules/@kubernetes/client-node/dist/watch.js, resetTimer/doneCallOnce.
 */
const isIdleAbort = (err: unknown): boolean => err instanceof Error && err.name === 'TimeoutError';

/** Only client-node's `statusCode` is an HTTP status; `code` is a DOMException or errno code. */
const httpStatusOf = (err: unknown): number | undefined => {
  const s = typeof err === 'object' && err !== null ? (err as { statusCode?: unknown }).statusCode : undefined;
  return typeof s === 'number' ? s : undefined;
};

export async function waitForPod(kc: KubeConfig, namespace: string, name: string, options: WaitOptions): Promise<PodOutcome> {
  const until = options.until ?? isTerminal;
  const core = kc.makeApiClient(CoreV1Api);
  const ref = `pod ${namespace}/${name}`;
  options.signal?.throwIfAborted();
  const first = await core.readNamespacedPod({ namespace, name });
  // An interrupt during that read would otherwise never reach the listener added below.
  options.signal?.throwIfAborted();
  let last = podOutcome(first);
  if (until(last)) return last;
  let rv = first.metadata?.resourceVersion ?? '';
  const deadline = Date.now() + options.timeoutMs;

  return new Promise<PodOutcome>((resolve, reject) => {
    let settled = false;
    let ctl: AbortController | undefined;
    const finish = (err: Error | undefined, value?: PodOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      ctl?.abort();
      if (err) reject(err);
      else if (value) resolve(value);
    };
    const timer = setTimeout(() => finish(new WaitTimeoutError(`${ref} did not finish within ${options.timeoutMs < 1000 ? `${options.timeoutMs}ms` : `${Math.round(options.timeoutMs / 1000)}s`}: last seen ${describe(last)}${idleRestarts ? ` (its watch was restarted ${idleRestarts} time${idleRestarts > 1 ? 's' : ''} after idling)` : ''}`)), options.timeoutMs);
    const onAbort = (): void => finish(options.signal?.reason instanceof Error ? options.signal.reason : new Error(`${ref}: wait aborted`));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) return onAbort();

    // Each watch has a generation: only the current one may restart itself when the server ends it.
    let generation = 0;
    let failures = 0;
    let idleRestarts = 0;
    const start = (): void => {
      if (settled) return;
      const mine = ++generation;
      const remaining = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
      const w = new Watch(kc);
      // requestTimeoutMs is private in client-node 2.0.1's typings but a plain field read at each watch (watch.js).
      if (options.watchIdleMs !== undefined) (w as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.watchIdleMs;
      w
        .watch(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
          { fieldSelector: `metadata.name=${name}`, resourceVersion: rv, timeoutSeconds: remaining, allowWatchBookmarks: true },
          (type: string, obj: V1Pod & { code?: number }) => {
            if (type === 'ERROR') {
              // 410 Gone: our resourceVersion is too old; read the pod again and watch from there.
              if (obj.code === 410) void relist();
              else finish(new Error(`${ref}: watch error ${JSON.stringify(obj).slice(0, 200)}`));
              return;
            }
            rv = obj.metadata?.resourceVersion ?? rv;
            if (type === 'BOOKMARK') return;
            if (type === 'DELETED') return finish(new PodGoneError(`${ref} was deleted while waiting: last seen ${describe(podOutcome(obj))}`));
            last = podOutcome(obj);
            if (until(last)) finish(undefined, last);
          },
          // The server ends a watch at timeoutSeconds (no error), and client-node aborts one that stayed idle for
          // watchIdleMs: both go on from the last resourceVersion, the caller's deadline unchanged. A failed watch
          // (reset, 5xx) is retried twice after a pause; a third failure, or a refusal, ends the wait.
          (err: unknown) => {
            if (settled || mine !== generation) return;
            if (!err || isIdleAbort(err)) {
              if (!err) failures = 0;
              else idleRestarts++;
              if (Date.now() < deadline) start();
              return;
            }
            const status = httpStatusOf(err);
            const text = err instanceof Error ? err.message : String(err);
            failures++;
            if (status === 401 || status === 403 || status === 404 || failures > 2) {
              finish(new Error(`${ref}: the watch failed${status ? ` with HTTP ${status}` : ''}: ${text}${status === 403 ? ' — grant watch on pods with deploy/rbac.yaml (nodegate-live)' : ''}`));
              return;
            }
            setTimeout(start, 500);
          },
        )
        .then((c) => {
          ctl = c;
          if (settled) c.abort();
        })
        .catch((err: unknown) => finish(err instanceof Error ? err : new Error(String(err))));
    };
    const relist = async (): Promise<void> => {
      generation++;
      ctl?.abort();
      try {
        const p = await core.readNamespacedPod({ namespace, name });
        rv = p.metadata?.resourceVersion ?? '';
        last = podOutcome(p);
        if (until(last)) return finish(undefined, last);
        start();
      } catch (err) {
        finish(err instanceof Error ? err : new Error(String(err)));
      }
    };
    start();
  });
}
