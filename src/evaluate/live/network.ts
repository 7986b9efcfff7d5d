// NET-5.2.1/5.2.2 (DNS), NET-5.3.1 (API server) and NET-5.3.2 (pod to pod through a Service, the positive
// control), then NET-5.4.1 (a deny-all ingress policy blocks the same request) and NET-5.4.2 (deleting it
// restores it). A "blocked" verdict needs its "allowed" control first: without it, it is an error. Reachability
// (NET-5.3.x, 5.4.x) goes by address and name resolution is NET-5.2.x's alone, so DNS down never reads as a dead network.
import { CoreV1Api, type V1NetworkPolicy, type V1Service } from '@kubernetes/client-node';
import { apiError, createNetworkPolicy, createService, deleteNetworkPolicy } from '../../cluster/live/objects.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { tail, withDiagnosis, type LiveContext } from './context.ts';
import { observePod, rcOf, type PodRun } from './observe-pod.ts';
import { clientPod, markers, markerValues, policyClientPod, urlHost, webLabels, webPod } from './pods.ts';
import type { LiveStep } from './plan.ts';

export type NetworkCheckId = 'NET-5.2.1' | 'NET-5.2.2' | 'NET-5.3.1' | 'NET-5.3.2' | 'NET-5.4.1' | 'NET-5.4.2';

export const serviceName = 'nodegate-web';
const policyName = 'nodegate-deny-web-ingress';

/** The server pod is shared with SEC-4.3.1/4.3.2 and KUBELET-3.5.4: they read its outcome. */
export interface NetworkResult {
  /** Only the checks whose steps ran (plan.ts): an ID absent here was not asked for. */
  readonly verdicts: Partial<Record<NetworkCheckId, Verdict>>;
  /** Absent when no selected check needs the server pod. */
  readonly web: PodRun | undefined;
}

const service = (): V1Service => ({ metadata: { name: serviceName }, spec: { selector: { app: webLabels.app }, ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] } });
const denyAll = (): V1NetworkPolicy => ({ metadata: { name: policyName }, spec: { podSelector: { matchLabels: { app: webLabels.app } }, policyTypes: ['Ingress'], ingress: [] } });

/** The test Service: its ClusterIP, which the reachability checks use, or why there is none. */
export type ServiceState = { readonly ok: true; readonly ip: string } | { readonly ok: false; readonly exists: boolean; readonly problem: string };

const clusterIpOf = (s: V1Service): string | undefined => {
  const ip = s.spec?.clusterIP;
  return ip && ip !== 'None' ? ip : undefined;
};

/** Creates the Service and takes its ClusterIP from the answer (the API server allocates it in the create), else reads it back once. */
async function makeService(ctx: LiveContext): Promise<ServiceState> {
  const { run } = ctx;
  let made: V1Service;
  try {
    made = await createService(run, service());
  } catch (err) {
    run.cleanup.signal.throwIfAborted();
    return { ok: false, exists: false, problem: err instanceof Error ? err.message : String(err) };
  }
  let ip = clusterIpOf(made);
  if (ip === undefined) {
    try {
      ip = clusterIpOf(await run.kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace: run.namespace, name: serviceName }));
    } catch (err) {
      run.cleanup.signal.throwIfAborted();
      return { ok: false, exists: true, problem: `its create answer had no ClusterIP and reading it back failed: ${apiError(`get services ${run.namespace}/${serviceName}`, err).message}` };
    }
  }
  return ip === undefined ? { ok: false, exists: true, problem: `it has no ClusterIP (spec.clusterIP ${JSON.stringify(made.spec?.clusterIP ?? null)})` } : { ok: true, ip };
}

/** The network steps of `steps` (plan.ts): a step not listed creates nothing. */
export async function networkChecks(ctx: LiveContext, steps: ReadonlySet<LiveStep>): Promise<NetworkResult> {
  const { run } = ctx;
  const [web, svc] = await Promise.all([
    steps.has('web') ? observePod(run, webPod('web', ctx.images.web), { timeoutMs: ctx.timeouts.readyMs, until: 'ready' }) : undefined,
    steps.has('service') ? makeService(ctx) : ({ ok: false, exists: false, problem: 'not created: no selected check needs it' } as const),
  ]);
  if (!steps.has('client')) return { verdicts: {}, web };
  const client = await observePod(run, clientPod('client', ctx.images.shell, serviceName, run.namespace, ctx.clusterDomain, svc.ok ? svc.ip : undefined), { timeoutMs: ctx.timeouts.podMs });
  const v = clientVerdicts(ctx, client, web, svc);
  if (!steps.has('blocked')) return { verdicts: v, web };

  // The same request as NET-5.3.2's control: to the Service's ClusterIP, so a "blocked" is the policy, never DNS.
  const url = svc.ok ? `http://${urlHost(svc.ip)}/` : '(no ClusterIP)';
  const byAddress = `Service ${serviceName}'s ClusterIP, as NET-5.3.2's control`;
  const blockedEvidence = { expected: `with ${policyName} (deny-all ingress) on the server, GET ${url} is blocked: it times out (the policy drops) or is refused (the policy rejects)`, source: `pod ${run.namespace}/blocked: wget -T 5 ${url} (${byAddress})` };
  const restoredEvidence = { expected: `after deleting ${policyName}, GET ${url} answers 200 again`, source: `pod ${run.namespace}/restored: wget -T 5 ${url} (${byAddress})` };
  let blocked: Verdict;
  let restored: Verdict;
  if (v['NET-5.3.2'].status !== 'pass' || !svc.ok) {
    blocked = error({ ...blockedEvidence, actual: 'not run' }, `The positive control NET-5.3.2 did not pass (${v['NET-5.3.2'].status}): a request that fails without a policy proves nothing about the policy.`);
    restored = error({ ...restoredEvidence, actual: 'not run' }, 'NET-5.4.1 did not run: there is no policy to remove.');
  } else {
    blocked = await blockedVerdict(ctx, url, blockedEvidence);
    if (!steps.has('restored')) return { verdicts: { ...v, 'NET-5.4.1': blocked }, web };
    restored = blocked.status === 'pass' ? await restoredVerdict(ctx, url, restoredEvidence) : error({ ...restoredEvidence, actual: 'not run' }, `NET-5.4.1 did not show the policy blocking (${blocked.status}): restoring traffic that was never blocked proves nothing.`);
  }
  return { verdicts: { ...v, 'NET-5.4.1': blocked, ...(steps.has('restored') ? { 'NET-5.4.2': restored } : {}) }, web };
}

function clientVerdicts(ctx: LiveContext, client: PodRun, web: PodRun | undefined, svc: ServiceState): Record<'NET-5.2.1' | 'NET-5.2.2' | 'NET-5.3.1' | 'NET-5.3.2', Verdict> {
  const ns = ctx.run.namespace;
  const d = ctx.clusterDomain;
  const e = {
    'NET-5.2.1': { expected: `kubernetes.default.svc.${d} resolves`, source: `pod ${ns}/client: nslookup kubernetes.default.svc.${d} (clusterDomain ${d}: ${ctx.clusterDomainFrom})` },
    'NET-5.2.2': { expected: `${serviceName} resolves by short and full name`, source: `pod ${ns}/client: wget http://${serviceName}/ (resolv.conf search), nslookup ${serviceName}.${ns}.svc.${d} (clusterDomain ${d}: ${ctx.clusterDomainFrom})` },
    // kubernetes.default.svc:443 is the API server's ClusterIP Service; the kubelet puts that address in every pod's
    // KUBERNETES_SERVICE_HOST/PORT, so going by it is the same endpoint, with DNS out of the way (NET-5.2.1's).
    'NET-5.3.1': { expected: `TCP and TLS to kubernetes.default.svc.${d}:443 (any HTTP status), by its ClusterIP`, source: `pod ${ns}/client: wget https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/healthz — kubernetes.default.svc.${d}:443 by the address the kubelet injects into every pod, so no DNS lookup is involved` },
    'NET-5.3.2': { expected: `HTTP 200 from the server pod through Service ${serviceName}`, source: `pod ${ns}/client: wget http://${svc.ok ? urlHost(svc.ip) : '(no ClusterIP)'}/ — Service ${serviceName} by its ClusterIP, so no DNS lookup is involved (NET-5.2.2's)` },
  } as const;
  if (!client.ok) {
    const all = (id: keyof typeof e): Verdict => error({ ...e[id], actual: 'not observed' }, withDiagnosis(`The client probe pod did not run to its end: ${client.message}`, client.diagnosis));
    return { 'NET-5.2.1': all('NET-5.2.1'), 'NET-5.2.2': all('NET-5.2.2'), 'NET-5.3.1': all('NET-5.3.1'), 'NET-5.3.2': all('NET-5.3.2') };
  }
  const log = client.log;
  if (log === undefined) {
    const all = (id: keyof typeof e): Verdict => error({ ...e[id], actual: 'not observed' }, `The client pod ended but its log could not be read: ${client.logError?.message ?? 'unknown'}`);
    return { 'NET-5.2.1': all('NET-5.2.1'), 'NET-5.2.2': all('NET-5.2.2'), 'NET-5.3.1': all('NET-5.3.1'), 'NET-5.3.2': all('NET-5.3.2') };
  }
  const m = markers(log);
  const judge = (id: keyof typeof e, keys: readonly string[], failText: string): Verdict => {
    const rcs = keys.map((k) => rcOf(m.get(k)));
    const actual = keys.map((k, i) => `${k} ${rcs[i] === undefined ? 'not reported' : rcs[i] === 0 ? 'ok' : `failed (exit ${rcs[i]})`}`).join(', ');
    if (rcs.some((r) => r === undefined)) return error({ ...e[id], actual }, `The client pod's output lacks its result lines (the image's shell or tools differ?): ${tail(log)}`);
    if (rcs.every((r) => r === 0)) return pass({ ...e[id], actual });
    return fail({ ...e[id], actual }, `${failText} Pod output: ${tail(log)}`);
  };
  const webDown = web === undefined ? 'the server pod was not started (no selected check needed it)' : !web.ok ? `the server pod did not become Ready: ${web.message}` : !svc.ok ? `Service ${serviceName} ${svc.exists ? 'cannot be reached by address' : 'could not be created'}: ${svc.problem}` : undefined;
  return {
    'NET-5.2.1': judge('NET-5.2.1', ['dns-cluster'], 'Cluster DNS did not resolve from this node\'s pods: check CoreDNS and the kubelet\'s clusterDNS.'),
    'NET-5.2.2': !svc.ok && !svc.exists ? error({ ...e['NET-5.2.2'], actual: 'not observed' }, `No Service to resolve: ${svc.problem}`) : judge('NET-5.2.2', ['dns-short', 'dns-full'], 'The test Service did not resolve by name from this node\'s pods.'),
    'NET-5.3.1': apiVerdict(e['NET-5.3.1'], m, log),
    'NET-5.3.2': webDown ? error({ ...e['NET-5.3.2'], actual: 'not observed' }, withDiagnosis(`No server to reach: ${webDown}`, web === undefined || web.ok ? '' : web.diagnosis)) : judge('NET-5.3.2', ['http'], 'The client pod got no HTTP 200 from the server pod through its Service: pod-to-pod traffic on this node is broken.'),
  };
}

/**
 * NET-5.3.1 from the client's "api-addr" and "api-tls" lines. By name only when the pod had no
 * KUBERNETES_SERVICE_HOST; then a name that did not resolve (NET-5.2.1 failed) leaves reachability unknown: an error.
 */
function apiVerdict(e: { readonly expected: string; readonly source: string }, m: ReadonlyMap<string, string>, log: string): Verdict {
  const addr = /^(env|name) (\S+)$/.exec(m.get('api-addr') ?? '');
  const rc = rcOf(m.get('api-tls'));
  if (!addr || rc === undefined) return error({ ...e, actual: `api-addr ${m.get('api-addr') ?? 'not reported'}, api-tls ${m.get('api-tls') ?? 'not reported'}` }, `The client pod's output lacks its result lines (the image's shell or tools differ?): ${tail(log)}`);
  const [, how, target] = addr;
  const actual = `${rc === 0 ? 'TLS handshake and an HTTP answer' : `failed (exit ${rc})`} at ${target} (${how === 'env' ? 'KUBERNETES_SERVICE_HOST/PORT' : 'by name: the pod had no KUBERNETES_SERVICE_HOST'})`;
  if (rc === 0) return pass({ ...e, actual });
  if (how === 'name' && rcOf(m.get('dns-cluster')) !== 0) {
    return error({ ...e, actual }, `The pod had no KUBERNETES_SERVICE_HOST (the kubelet injects it into every pod), so the API server was addressed by name, and that name did not resolve (NET-5.2.1): whether the API server is reachable is unknown. Pod output: ${tail(log)}`);
  }
  return fail({ ...e, actual }, `The API server was not reachable over TCP/TLS at ${target} from this node's pods. Pod output: ${tail(log)}`);
}

/** How a client sees a connection a policy rejects: ICMP port/host unreachable or a TCP reset. */
const rejected = /Connection refused|Connection reset by peer|No route to host|Host is unreachable/;

async function blockedVerdict(ctx: LiveContext, url: string, e: { expected: string; source: string }): Promise<Verdict> {
  try {
    await createNetworkPolicy(ctx.run, denyAll());
  } catch (err) {
    ctx.run.cleanup.signal.throwIfAborted();
    return error({ ...e, actual: 'not observed' }, `The deny-all policy could not be created: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = await observePod(ctx.run, policyClientPod('blocked', 'blocked', ctx.images.shell, url), { timeoutMs: ctx.timeouts.podMs });
  if (!r.ok) return error({ ...e, actual: 'not observed' }, withDiagnosis(`The client pod did not run to its end: ${r.message}`, r.diagnosis));
  if (r.log === undefined) return error({ ...e, actual: 'not observed' }, `The client pod's log could not be read: ${r.logError?.message ?? 'unknown'}`);
  const attempts = markerValues(r.log, 'http').map(rcOf);
  const last = attempts.at(-1);
  const how = /timed out/.test(r.log) ? 'timed out' : rejected.test(r.log) ? 'rejected' : undefined;
  const actual = attempts.length ? `${attempts.length} attempt(s), last ${last === 0 ? 'answered 200' : how === 'timed out' ? 'timed out' : how === 'rejected' ? `rejected (${rejected.exec(r.log)?.[0]})` : `failed (exit ${last ?? '?'})`}` : 'no result';
  if (last === undefined) return error({ ...e, actual }, `The client pod's output lacks its result lines: ${tail(r.log)}`);
  if (last === 0) return fail({ ...e, actual }, `The request still succeeded with a deny-all ingress policy on the server (after ${attempts.length} attempts 2 s apart): the CNI does not enforce NetworkPolicy on this node.`);
  // Both ways a policy blocks: dropping (Cilium, Calico: the request times out) and rejecting (kube-router ends its
  // pod firewall chains in `REJECT --reject-with icmp-port-unreachable`: refused at once). The positive control ran
  // the same request seconds before, so a refusal now is the policy, not a missing server.
  if (how !== undefined) return pass({ ...e, actual });
  return error({ ...e, actual }, `The request failed, but neither by timing out nor by being refused (a policy drops or rejects; this looks like something else): ${tail(r.log)}`);
}

async function restoredVerdict(ctx: LiveContext, url: string, e: { expected: string; source: string }): Promise<Verdict> {
  try {
    await deleteNetworkPolicy(ctx.run, policyName);
  } catch (err) {
    ctx.run.cleanup.signal.throwIfAborted();
    return error({ ...e, actual: 'not observed' }, `The deny-all policy could not be deleted: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = await observePod(ctx.run, policyClientPod('restored', 'restored', ctx.images.shell, url, 5), { timeoutMs: ctx.timeouts.podMs });
  if (!r.ok) return error({ ...e, actual: 'not observed' }, withDiagnosis(`The client pod did not run to its end: ${r.message}`, r.diagnosis));
  if (r.log === undefined) return error({ ...e, actual: 'not observed' }, `The client pod's log could not be read: ${r.logError?.message ?? 'unknown'}`);
  const attempts = markerValues(r.log, 'http').map(rcOf);
  const last = attempts.at(-1);
  const actual = `${attempts.length} attempt(s), last ${last === 0 ? 'answered 200' : `failed (exit ${last ?? '?'})`}`;
  if (last === undefined) return error({ ...e, actual }, `The client pod's output lacks its result lines: ${tail(r.log)}`);
  if (last === 0) return pass({ ...e, actual });
  return fail({ ...e, actual }, `The request still fails after the policy was deleted (${attempts.length} attempts 2 s apart): the agent did not resync. Pod output: ${tail(r.log)}`);
}
