// runLiveChecks: one live run through the cluster (namespace, probe pods pinned to the node, cleanup at the end
// and on SIGINT/SIGTERM) that answers the selected live catalog rows, doing only what they need (plan.ts).
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { LiveRun, type LiveRunOptions } from '../../cluster/live/harness.ts';
import { apiError } from '../../cluster/live/objects.ts';
import type { SweepResult } from '../../cluster/live/sweep.ts';
import { httpProbe } from '../../facts/runner-probe.ts';
import { error, skip, type Verdict } from '../verdict.ts';
import { defaultTimeouts, type LiveContext, type LiveTimeouts } from './context.ts';
import { assumeEperm, assumedClusterDomain, type SeccompDenial } from './inputs.ts';
import { kubeletAnonymous } from './kubelet-api.ts';
import { podLogVerdict, tokenWithoutRbacVerdict } from './kubelet-live.ts';
import { networkChecks } from './network.ts';
import { neededBy, liveCheckIds, livePlan, type LiveCheckId, type LivePlan, type LiveStep } from './plan.ts';
import type { LiveImages } from './pods.ts';
import { resourceChecks } from './resources.ts';
import { admissionCheck, restrictedPodVerdicts, seccompCheck } from './security.ts';

export { liveCheckIds, type LiveCheckId } from './plan.ts';

export interface LiveCheckOptions extends Pick<LiveRunOptions, 'signals' | 'exit' | 'log' | 'runId' | 'now' | 'ttlMs' | 'goneTimeoutMs'> {
  readonly node: string;
  readonly images: LiveImages;
  readonly workloadNamespaces: readonly string[];
  /** The kubelet's clusterDomain (cluster.local by default) and where it was read (inputs.ts). */
  readonly clusterDomain?: string;
  readonly clusterDomainFrom?: string;
  /** localhost/<profile> for SEC-4.2.5 (the profile's first seccomp profile, e.g. profiles/web-app.json). */
  readonly seccompProfile: string;
  /** What the node's profile answers unshare(2) with (inputs.ts); without it, SCMP_ACT_ERRNO's default EPERM, said as assumed. */
  readonly seccomp?: SeccompDenial;
  /** The kubelet API, https://<InternalIP>:10250 by default (read from the Node). */
  readonly kubeletUrl?: string;
  readonly timeouts?: Partial<LiveTimeouts>;
  /** Per kubelet API request (KUBELET-3.5.2/3.5.3). */
  readonly httpTimeoutMs?: number;
  /**
   * The live checks to report (--only/--skip); every one when absent. Only their steps and their controls' steps
   * run (plan.ts); the others are skips saying they were not selected.
   */
  readonly selected?: Iterable<LiveCheckId>;
}

export interface LiveReport {
  /** Every live ID: a selected one's verdict, or a skip saying it was not selected (or ran only as a control). */
  readonly verdicts: Record<LiveCheckId, Verdict>;
  readonly runId: string;
  /** The run's namespace, or why none was created (no selected step makes an object in it). */
  readonly namespace: string;
  readonly swept: SweepResult | undefined;
  /** Cleanup steps that failed (the namespace expiry lets the next sweep finish them). */
  readonly cleanupFailures: readonly string[];
}

/** What `namespace` says when the selection needs no object in a run namespace, so none was created. */
export const noNamespace = 'no namespace: no selected live check creates an object in one';

/**
 * Runs the selected live checks once against `node` (every one by default), and only what they need: no pod for a
 * check not selected, no namespace when nothing selected makes an object in one, nothing at all (no signal handlers,
 * no API request) when no live check is selected. Never throws for a check's failure (that is a verdict); rejects
 * only with InterruptedError when SIGINT/SIGTERM ended the run (cleanup has then been started by the signal handler).
 */
export async function runLiveChecks(kc: KubeConfig, options: LiveCheckOptions): Promise<LiveReport> {
  const plan = livePlan(options.selected ?? liveCheckIds);
  if (plan.judged.size === 0) return { verdicts: reported(plan, {}), runId: options.runId ?? 'none', namespace: noNamespace, swept: undefined, cleanupFailures: [] };
  const run = new LiveRun(kc, { node: options.node, ...pick(options) });
  let swept: SweepResult | undefined;
  try {
    if (plan.needsNamespace) {
      try {
        swept = await run.start();
      } catch (err) {
        run.cleanup.signal.throwIfAborted();
        const why = apiError(`create namespaces ${run.namespace}`, err).message;
        return { verdicts: reported(plan, allError(plan, `The live run could not start: ${why}`)), runId: run.runId, namespace: run.namespace, swept, cleanupFailures: await failures(run) };
      }
    }
    const ctx: LiveContext = {
      run,
      node: options.node,
      images: options.images,
      clusterDomain: options.clusterDomain ?? assumedClusterDomain,
      clusterDomainFrom: options.clusterDomainFrom ?? (options.clusterDomain === undefined ? 'assumed: the kubelet\'s configuration was not given to the live run' : 'given'),
      workloadNamespaces: options.workloadNamespaces,
      seccompProfile: options.seccompProfile,
      seccomp: options.seccomp ?? assumeEperm('the node\'s profile was not given to the live run'),
      timeouts: { ...defaultTimeouts, ...options.timeouts },
    };
    const { steps } = plan;
    const httpMs = options.httpTimeoutMs ?? 5_000;
    // The kubelet's URL is looked up once, and only by a selected step that talks to the kubelet.
    let kubeletUrl: Promise<string | Verdict> | undefined;
    const viaKubelet = async (f: (url: string) => Promise<Verdict>): Promise<Verdict> => {
      kubeletUrl ??= options.kubeletUrl !== undefined ? Promise.resolve(options.kubeletUrl) : kubeletUrlOf(kc, options.node);
      const url = await kubeletUrl;
      return typeof url === 'string' ? f(url) : url;
    };
    const when = (step: LiveStep, f: () => Promise<Verdict>): Promise<Verdict | undefined> => (steps.has(step) ? f() : Promise.resolve(undefined));
    const [net, res, seccomp, hostPath, privileged, anonymous, token] = await Promise.all([
      networkChecks(ctx, steps),
      resourceChecks(ctx, steps),
      when('seccomp', () => seccompCheck(ctx)),
      when('admission-hostpath', () => admissionCheck(ctx, 'hostpath')),
      when('admission-privileged', () => admissionCheck(ctx, 'privileged')),
      when('kubelet-anonymous', () => viaKubelet(async (url) => kubeletAnonymous(`${url}/pods`, await httpProbe(`${url}/pods`, { timeoutMs: httpMs })))),
      when('kubelet-token', () => viaKubelet((url) => tokenWithoutRbacVerdict(ctx, url, httpMs))),
    ]);
    const { web } = net;
    const computed: Partial<Record<LiveCheckId, Verdict>> = {
      ...net.verdicts,
      ...res,
      ...(web ? restrictedPodVerdicts(ctx, web) : {}),
      ...(web ? { 'KUBELET-3.5.4': podLogVerdict(ctx, [web]) } : {}),
      ...(seccomp ? { 'SEC-4.2.5': seccomp } : {}),
      ...(hostPath ? { 'SEC-4.3.4': hostPath } : {}),
      ...(privileged ? { 'SEC-4.3.5': privileged } : {}),
      ...(anonymous ? { 'KUBELET-3.5.2': anonymous } : {}),
      ...(token ? { 'KUBELET-3.5.3': token } : {}),
    };
    return { verdicts: reported(plan, computed), runId: run.runId, namespace: plan.needsNamespace ? run.namespace : noNamespace, swept, cleanupFailures: await failures(run) };
  } catch (err) {
    // An interrupt: the signal handler is cleaning up; anything else is a bug, still cleaned up before it surfaces.
    if (!run.cleanup.signal.aborted) await run.finish();
    throw err;
  }
}

/**
 * Every live ID's entry in the report: a selected ID's verdict (one the run did not compute is an error, never a
 * pass); any other is a skip, saying whether it ran as a selected check's control and how that control ended.
 */
function reported(plan: LivePlan, computed: Partial<Record<LiveCheckId, Verdict>>): Record<LiveCheckId, Verdict> {
  const out = {} as Record<LiveCheckId, Verdict>;
  for (const id of liveCheckIds) {
    const v = computed[id];
    if (plan.selected.has(id)) {
      out[id] = v ?? error({ expected: 'a verdict from the live run', actual: 'none', source: 'live harness' }, `the live run computed no verdict for ${id}`);
      continue;
    }
    const users = neededBy(plan, id);
    const e = { expected: 'a live run on the node', actual: users.length && v ? `ran as a control: ${v.status}` : 'not run', source: 'live harness' };
    out[id] = skip(e, users.length ? `not selected: it ran only as the positive control of ${users.join(', ')} (${v?.status ?? 'no verdict'})` : 'not selected (--only/--skip): not run');
  }
  return out;
}

function pick(o: LiveCheckOptions): Omit<LiveRunOptions, 'node'> {
  const { signals, exit, log, runId, now, ttlMs, goneTimeoutMs } = o;
  return Object.fromEntries(Object.entries({ signals, exit, log, runId, now, ttlMs, goneTimeoutMs }).filter(([, v]) => v !== undefined));
}

async function failures(run: LiveRun): Promise<string[]> {
  return (await run.finish()).filter((r) => !r.ok).map((r) => `${r.name}: ${r.message ?? 'failed'}`);
}

/** The run could not start: every check it would have judged is an error with that reason. */
function allError(plan: LivePlan, message: string): Partial<Record<LiveCheckId, Verdict>> {
  return Object.fromEntries([...plan.judged].map((id) => [id, error({ expected: 'a live run on the node', actual: 'not run', source: 'live harness' }, message)]));
}

/** https://<InternalIP>:<daemonEndpoints.kubeletEndpoint.Port>, or the error verdict KUBELET-3.5.2/3.5.3 get. */
async function kubeletUrlOf(kc: KubeConfig, node: string): Promise<string | Verdict> {
  const e = { expected: 'the kubelet API of the node', actual: 'unknown', source: `get nodes ${node}` };
  try {
    const n = await kc.makeApiClient(CoreV1Api).readNode({ name: node });
    const ip = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const port = n.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
    if (!ip) return error(e, `Node ${node} reports no InternalIP: nowhere to send the kubelet API request.`);
    return `https://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  } catch (err) {
    return error(e, apiError(`get nodes ${node}`, err).message);
  }
}
