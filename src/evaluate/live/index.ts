// runLiveChecks: one live run through the cluster (namespace, probe pods pinned to the node, cleanup at the end
// and on SIGINT/SIGTERM) that answers every live catalog row with a verdict. The only entry point the CLI needs.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { LiveRun, type LiveRunOptions } from '../../cluster/live/harness.ts';
import { apiError } from '../../cluster/live/objects.ts';
import type { SweepResult } from '../../cluster/live/sweep.ts';
import { httpProbe } from '../../facts/runner-probe.ts';
import { error, type Verdict } from '../verdict.ts';
import { defaultTimeouts, type LiveContext, type LiveTimeouts } from './context.ts';
import { assumedClusterDomain, type SeccompDenial } from './inputs.ts';
import { kubeletAnonymous } from './kubelet-api.ts';
import { podLogVerdict, tokenWithoutRbacVerdict } from './kubelet-live.ts';
import { networkChecks } from './network.ts';
import type { LiveImages } from './pods.ts';
import { resourceChecks } from './resources.ts';
import { admissionCheck, restrictedPodVerdicts, seccompCheck } from './security.ts';

export const liveCheckIds = [
  'NET-5.2.1',
  'NET-5.2.2',
  'NET-5.3.1',
  'NET-5.3.2',
  'NET-5.4.1',
  'NET-5.4.2',
  'RES-6.2.1',
  'RES-6.2.2',
  'RES-6.2.3',
  'SEC-4.2.5',
  'SEC-4.3.1',
  'SEC-4.3.2',
  'SEC-4.3.4',
  'SEC-4.3.5',
  'KUBELET-3.5.2',
  'KUBELET-3.5.3',
  'KUBELET-3.5.4',
] as const;
export type LiveCheckId = (typeof liveCheckIds)[number];

/** strerror texts (glibc and musl agree on these) for the errnos a seccomp profile commonly returns. */
export const errnoText: Readonly<Record<number, string>> = { 1: 'Operation not permitted', 13: 'Permission denied', 38: 'Function not implemented' };

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
}

export interface LiveReport {
  readonly verdicts: Record<LiveCheckId, Verdict>;
  readonly runId: string;
  readonly namespace: string;
  readonly swept: SweepResult | undefined;
  /** Cleanup steps that failed (the namespace expiry lets the next sweep finish them). */
  readonly cleanupFailures: readonly string[];
}

/**
 * Runs every live check once against `node`. Never throws for a check's failure (that is a verdict); rejects only
 * with InterruptedError when SIGINT/SIGTERM ended the run (cleanup has then been started by the signal handler).
 */
export async function runLiveChecks(kc: KubeConfig, options: LiveCheckOptions): Promise<LiveReport> {
  const run = new LiveRun(kc, { node: options.node, ...pick(options) });
  let swept: SweepResult | undefined;
  try {
    try {
      swept = await run.start();
    } catch (err) {
      run.cleanup.signal.throwIfAborted();
      const why = apiError(`create namespaces ${run.namespace}`, err).message;
      return { verdicts: allError(`The live run could not start: ${why}`), runId: run.runId, namespace: run.namespace, swept, cleanupFailures: await failures(run) };
    }
    const ctx: LiveContext = {
      run,
      node: options.node,
      images: options.images,
      clusterDomain: options.clusterDomain ?? assumedClusterDomain,
      clusterDomainFrom: options.clusterDomainFrom ?? (options.clusterDomain === undefined ? 'assumed: the kubelet\'s configuration was not given to the live run' : 'given'),
      workloadNamespaces: options.workloadNamespaces,
      seccompProfile: options.seccompProfile,
      seccomp: options.seccomp ?? { kind: 'errno', errno: 1, text: errnoText[1] ?? 'Operation not permitted', from: 'assumed EPERM (SCMP_ACT_ERRNO without errnoRet): the node\'s profile was not given to the live run' },
      timeouts: { ...defaultTimeouts, ...options.timeouts },
    };
    const httpMs = options.httpTimeoutMs ?? 5_000;
    const kubeletUrl = options.kubeletUrl ?? (await kubeletUrlOf(kc, options.node));
    const [net, res, seccomp, hostPath, privileged, anonymous, token] = await Promise.all([
      networkChecks(ctx),
      resourceChecks(ctx),
      seccompCheck(ctx),
      admissionCheck(ctx, 'hostpath'),
      admissionCheck(ctx, 'privileged'),
      typeof kubeletUrl === 'string' ? httpProbe(`${kubeletUrl}/pods`, { timeoutMs: httpMs }).then((p) => kubeletAnonymous(`${kubeletUrl}/pods`, p)) : Promise.resolve(kubeletUrl),
      typeof kubeletUrl === 'string' ? tokenWithoutRbacVerdict(ctx, kubeletUrl, httpMs) : Promise.resolve(kubeletUrl),
    ]);
    const verdicts: Record<LiveCheckId, Verdict> = {
      ...net.verdicts,
      ...res,
      ...restrictedPodVerdicts(ctx, net.web),
      'SEC-4.2.5': seccomp,
      'SEC-4.3.4': hostPath,
      'SEC-4.3.5': privileged,
      'KUBELET-3.5.2': anonymous,
      'KUBELET-3.5.3': token,
      'KUBELET-3.5.4': podLogVerdict(ctx, [net.web]),
    };
    return { verdicts, runId: run.runId, namespace: run.namespace, swept, cleanupFailures: await failures(run) };
  } catch (err) {
    // An interrupt: the signal handler is cleaning up; anything else is a bug, still cleaned up before it surfaces.
    if (!run.cleanup.signal.aborted) await run.finish();
    throw err;
  }
}

function pick(o: LiveCheckOptions): Omit<LiveRunOptions, 'node'> {
  const { signals, exit, log, runId, now, ttlMs, goneTimeoutMs } = o;
  return Object.fromEntries(Object.entries({ signals, exit, log, runId, now, ttlMs, goneTimeoutMs }).filter(([, v]) => v !== undefined));
}

async function failures(run: LiveRun): Promise<string[]> {
  return (await run.finish()).filter((r) => !r.ok).map((r) => `${r.name}: ${r.message ?? 'failed'}`);
}

function allError(message: string): Record<LiveCheckId, Verdict> {
  return Object.fromEntries(liveCheckIds.map((id) => [id, error({ expected: 'a live run on the node', actual: 'not run', source: 'live harness' }, message)])) as Record<LiveCheckId, Verdict>;
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
