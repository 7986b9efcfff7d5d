// The kubelet API checks that need the cluster: KUBELET-3.5.4 (the API server reads a probe pod's log from the
// kubelet) and KUBELET-3.5.3 (a fresh ServiceAccount's token, with no RBAC, is refused by the kubelet).
import { freshServiceAccountToken } from '../../cluster/live/objects.ts';
import { httpProbe } from '../../facts/runner-probe.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import type { LiveContext } from './context.ts';
import { kubeletAuthorizes } from './kubelet-api.ts';
import type { PodRun } from './observe-pod.ts';

/** KUBELET-3.5.4 from the log reads the other checks made (the first pod that ran). */
export function podLogVerdict(ctx: LiveContext, runs: readonly PodRun[]): Verdict {
  const e = { expected: 'a probe pod\'s log on this node is readable through the API (pods/log)', source: `get pods/log in ${ctx.run.namespace}` };
  const ran = runs.filter((r): r is Extract<PodRun, { ok: true }> => r.ok);
  const read = ran.find((r) => r.log !== undefined);
  if (read) return pass({ ...e, actual: 'read' });
  const first = ran[0];
  if (!first?.logError) return error({ ...e, actual: 'not observed' }, 'No probe pod ran on this node, so there was no log to read.');
  const err = first.logError;
  // RBAC names the missing permission; anything else came back from the kubelet (or the way to it).
  if (err.status === 403 && /cannot get resource "pods\/log"/.test(err.message)) return error({ ...e, actual: `HTTP 403 from RBAC` }, `${err.message} — grant get pods/log with deploy/rbac.yaml (nodegate-live)`);
  return fail({ ...e, actual: err.status !== undefined ? `HTTP ${err.status}` : 'failed' }, `The API server could not read the log from the kubelet: ${err.message}. A 401/403 here means the kubelet lost its client CA or webhook settings (KUBELET-3.3.6, 3.3.17).`);
}

/** KUBELET-3.5.3 against `kubeletUrl` (https://NODE:10250). */
export async function tokenWithoutRbacVerdict(ctx: LiveContext, kubeletUrl: string, timeoutMs: number): Promise<Verdict> {
  const url = `${kubeletUrl.replace(/\/$/, '')}/pods`;
  let token: string;
  try {
    token = await freshServiceAccountToken(ctx.run, 'nodegate-no-rbac');
  } catch (err) {
    ctx.run.cleanup.signal.throwIfAborted();
    return error({ expected: 'HTTP 403 Forbidden for a token with no RBAC', actual: 'not observed', source: `runner: GET ${url}` }, `No token for a fresh ServiceAccount: ${err instanceof Error ? err.message : String(err)}`);
  }
  return kubeletAuthorizes(url, await httpProbe(url, { timeoutMs, bearerToken: token }));
}

