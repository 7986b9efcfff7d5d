// RES-6.2.1 (the guide's memory bomb is OOMKilled), RES-6.2.2 (the node is still Ready without memory pressure
// afterwards) and RES-6.2.3 (a pod's limits reach its cgroup: v2 memory.max and cpu.max, else v1).
import { CoreV1Api } from '@kubernetes/client-node';
import { apiError } from '../../cluster/live/objects.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { tail, withDiagnosis, type LiveContext } from './context.ts';
import { describeOutcome, observePod } from './observe-pod.ts';
import { cgroupLimitFiles, judgeCgroupLimits } from './cgroup-limits.ts';
import { bombPod, limitsPod, markers } from './pods.ts';
import type { LiveStep } from './plan.ts';

export type ResourceCheckId = 'RES-6.2.1' | 'RES-6.2.2' | 'RES-6.2.3';

/** The resource steps of `steps` (plan.ts): the bomb answers RES-6.2.1 and 6.2.2, the limits pod RES-6.2.3. */
export async function resourceChecks(ctx: LiveContext, steps: ReadonlySet<LiveStep>): Promise<Partial<Record<ResourceCheckId, Verdict>>> {
  const [bomb, limits] = await Promise.all([steps.has('bomb') ? bombChecks(ctx) : {}, steps.has('limits') ? limitsCheck(ctx).then((v) => ({ 'RES-6.2.3': v })) : {}]);
  return { ...bomb, ...limits };
}

async function bombChecks(ctx: LiveContext): Promise<Record<'RES-6.2.1' | 'RES-6.2.2', Verdict>> {
  const { run } = ctx;
  const e1 = { expected: 'terminated with reason OOMKilled (exit 137) under its 200Mi limit', source: `pod ${run.namespace}/memory-bomb (${ctx.images.stress}: stress --vm 1 --vm-bytes 500M)` };
  const e2 = { expected: 'after the bomb: Ready True, MemoryPressure False', source: `get nodes ${ctx.node}` };
  const r = await observePod(run, bombPod('memory-bomb', ctx.images.stress, ctx.timeouts.bombSeconds), { timeoutMs: ctx.timeouts.podMs });
  if (!r.ok) {
    return {
      'RES-6.2.1': error({ ...e1, actual: 'not observed' }, withDiagnosis(`The memory bomb did not run to its end: ${r.message}`, r.diagnosis)),
      'RES-6.2.2': error({ ...e2, actual: 'not observed' }, 'The memory bomb did not run, so there is no "after" to look at.'),
    };
  }
  const c = r.outcome.containers[0];
  const actual = describeOutcome(r.outcome);
  let bombVerdict: Verdict;
  if (c?.state === 'terminated' && c.reason === 'OOMKilled') bombVerdict = pass({ ...e1, actual });
  else if (c?.state === 'terminated' && c.exitCode === 0)
    bombVerdict = fail({ ...e1, actual }, `The bomb allocated 500M for ${ctx.timeouts.bombSeconds} s under a 200Mi limit and exited normally: memory limits are not enforced on this node.`);
  else bombVerdict = error({ ...e1, actual }, `The bomb ended, but not by the OOM killer (no OOMKilled reason): the check cannot tell whether the limit was enforced. Output: ${tail(r.log)}`);
  return { 'RES-6.2.1': bombVerdict, 'RES-6.2.2': await nodeAfter(ctx, e2) };
}

async function nodeAfter(ctx: LiveContext, e: { expected: string; source: string }): Promise<Verdict> {
  let conditions: { type: string; status: string; reason?: string }[];
  try {
    const node = await ctx.run.kc.makeApiClient(CoreV1Api).readNode({ name: ctx.node });
    conditions = (node.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}) }));
  } catch (err) {
    ctx.run.cleanup.signal.throwIfAborted();
    return error({ ...e, actual: 'unknown' }, apiError(`get nodes ${ctx.node}`, err).message);
  }
  const ready = conditions.find((c) => c.type === 'Ready');
  const pressure = conditions.find((c) => c.type === 'MemoryPressure');
  const actual = `Ready ${ready?.status ?? 'absent'}${ready?.reason ? ` (${ready.reason})` : ''}, MemoryPressure ${pressure?.status ?? 'absent'}${pressure?.reason ? ` (${pressure.reason})` : ''}`;
  if (!ready || !pressure) return error({ ...e, actual }, 'The Node does not report both conditions: the kubelet is not posting status.');
  if (ready.status === 'True' && pressure.status === 'False') return pass({ ...e, actual });
  return fail({ ...e, actual }, 'After one container exceeded its memory limit the node is no longer healthy: reserve memory for the system and the kubelet and set evictionHard memory.available (KUBELET-3.4.x).');
}

async function limitsCheck(ctx: LiveContext): Promise<Verdict> {
  const { run } = ctx;
  const e = { expected: 'the pod\'s cgroup holds its limits 128Mi / 200m: memory.max 134217728 and cpu.max "20000 100000" (cgroup v2), or memory.limit_in_bytes 134217728 and cfs_quota_us/cfs_period_us 20000/100000 (cgroup v1)', source: `pod ${run.namespace}/limits: cat its own /sys/fs/cgroup files` };
  const r = await observePod(run, limitsPod('limits', ctx.images.shell), { timeoutMs: ctx.timeouts.podMs });
  if (!r.ok) return error({ ...e, actual: 'not observed' }, withDiagnosis(`The limits pod did not run to its end: ${r.message}`, r.diagnosis));
  if (r.log === undefined) return error({ ...e, actual: 'not observed' }, `The limits pod's log could not be read: ${r.logError?.message ?? 'unknown'}`);
  const m = markers(r.log);
  if (!cgroupLimitFiles.some((f) => m.has(f))) return error({ ...e, actual: 'no result' }, `The pod's output lacks its result lines: ${tail(r.log)}`);
  return judgeCgroupLimits(m, e).verdict;
}
