// Runs one probe pod to its end and reads what it printed; on anything unexpected, gathers the diagnosis a person
// would look for (the pod's events, its waiting reason, the last lines of its log).
import type { V1Pod } from '@kubernetes/client-node';
import type { LiveRun } from '../../cluster/live/harness.ts';
import { ApiCallError, apiError, podEvents, podLog } from '../../cluster/live/objects.ts';
import { isTerminal, type PodOutcome } from '../../cluster/live/wait-pod.ts';

export type PodRun =
  /** The pod reached the state waited for; `log` is its output (undefined with `logError` when unreadable). */
  | { readonly ok: true; readonly outcome: PodOutcome; readonly log: string | undefined; readonly logError?: ApiCallError }
  /** It could not be created or did not get there in time: `message` says which, `diagnosis` what was seen. */
  | { readonly ok: false; readonly message: string; readonly diagnosis: string };

export interface ObserveOptions {
  readonly timeoutMs: number;
  /** Terminal phases by default; `ready` for a server pod. */
  readonly until?: 'terminal' | 'ready';
}

export const isReady = (o: PodOutcome): boolean => o.phase === 'Running' && (o.pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * A pod that ended, or whose container waits on a failure the kubelet only retries with back-off (image pull,
 * container create with a missing seccomp profile): waiting longer would only spend the timeout.
 */
const hopeless = (o: PodOutcome): boolean => isTerminal(o) || o.containers.some((c) => c.state === 'waiting' && /BackOff|Err|Invalid/.test(c.reason ?? ''));

export async function observePod(run: LiveRun, pod: V1Pod, options: ObserveOptions): Promise<PodRun> {
  const name = pod.metadata?.name ?? '';
  try {
    await run.createPod(pod);
  } catch (err) {
    run.cleanup.signal.throwIfAborted();
    return { ok: false, message: `could not create pod ${run.namespace}/${name}: ${apiError(`create pods ${run.namespace}/${name}`, err).message}`, diagnosis: '' };
  }
  let outcome: PodOutcome;
  try {
    const ready = options.until === 'ready';
    outcome = await run.waitForPod(name, { timeoutMs: options.timeoutMs, until: ready ? (o) => isReady(o) || hopeless(o) : hopeless });
  } catch (err) {
    run.cleanup.signal.throwIfAborted();
    return { ok: false, message: err instanceof Error ? err.message : String(err), diagnosis: await diagnose(run, name) };
  }
  if (options.until === 'ready' ? !isReady(outcome) : !isTerminal(outcome)) {
    return { ok: false, message: `pod ${run.namespace}/${name} did not ${options.until === 'ready' ? 'become Ready' : 'run'}: ${describeOutcome(outcome)}`, diagnosis: await diagnose(run, name, outcome) };
  }
  try {
    return { ok: true, outcome, log: await podLog(run, name) };
  } catch (err) {
    return { ok: true, outcome, log: undefined, logError: apiError(`get pods/log ${run.namespace}/${name}`, err) };
  }
}

export function describeOutcome(o: PodOutcome): string {
  const cs = o.containers.map((c) => `${c.name} ${c.state}${c.reason ? ` (${c.reason})` : ''}${c.exitCode !== undefined ? ` exit ${c.exitCode}` : ''}`);
  return `phase ${o.phase}${cs.length ? `, ${cs.join(', ')}` : ''}`;
}

/** Events, waiting message and last log lines, each best-effort: a diagnosis never hides the verdict. */
export async function diagnose(run: LiveRun, name: string, outcome?: PodOutcome): Promise<string> {
  const parts: string[] = [];
  const waiting = outcome?.pod.status?.containerStatuses?.map((s) => s.state?.waiting).find((w) => w?.reason);
  if (waiting) parts.push(`waiting: ${waiting.reason}${waiting.message ? ` — ${waiting.message}` : ''}`);
  try {
    const events = await podEvents(run, name);
    if (events.length) parts.push(`events: ${events.slice(-5).join('; ')}`);
  } catch (err) {
    parts.push(`events unreadable (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    const tail = (await podLog(run, name, 10)).trim();
    if (tail) parts.push(`last log lines: ${tail.split('\n').join(' | ')}`);
  } catch {
    // No log is normal for a container that never started; the waiting reason and events say why.
  }
  return parts.join('\n');
}

/** "rc=N" → N, or undefined when the marker is missing or malformed. */
export function rcOf(value: string | undefined): number | undefined {
  const m = /^rc=(\d+)$/.exec(value ?? '');
  return m ? Number(m[1]) : undefined;
}
