// The kubelet API as a caller outside the node sees it: KUBELET-3.5.1's runner half (does a kubelet answer HTTP
// on the read-only port?), KUBELET-3.5.2 (anonymous → 401) and KUBELET-3.5.3 (a token with no RBAC → 403).
import { describeHttpProbe, type HttpProbe } from '../../facts/runner-probe.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';

/** What the read-only port's GET /healthz shows: a kubelet answering, something else accepting TCP, or nothing. */
export type ReadOnlyPortAnswer = 'kubelet' | 'other-http' | 'tcp-only' | 'closed' | 'unknown';

/**
 * KUBELET-3.5.1's runner half, told apart: the read-only kubelet answers GET /healthz with 200 "ok"
 * (pkg/kubelet/server/server.go installs healthz on the read-only server too); a port forward or another
 * program accepts the connection but does not answer that.
 */
export function readOnlyPortAnswer(p: HttpProbe): ReadOnlyPortAnswer {
  if (p.kind === 'http') return p.status === 200 && p.body.trim() === 'ok' ? 'kubelet' : 'other-http';
  if (p.kind === 'no-http' || p.kind === 'tls-error') return 'tcp-only';
  if (p.kind === 'refused' || p.kind === 'timeout') return 'closed';
  return 'unknown';
}

/** The runner's view of the read-only port in words for KUBELET-3.5.1's message. */
export function readOnlyPortWords(port: number, p: HttpProbe): string {
  switch (readOnlyPortAnswer(p)) {
    case 'kubelet':
      return `a kubelet answers GET http://NODE:${port}/healthz (HTTP 200 "ok"): the read-only port is serving`;
    case 'other-http':
      return `something answers HTTP on :${port} (${describeHttpProbe(p)}), not the kubelet's /healthz`;
    case 'tcp-only':
      return `port ${port} accepts TCP but does not answer HTTP (${describeHttpProbe(p)}): a forward or another program, not a kubelet`;
    case 'closed':
      return `port ${port}: ${describeHttpProbe(p)}`;
    case 'unknown':
      return `port ${port} could not be probed: ${describeHttpProbe(p)}`;
  }
}

/** KUBELET-3.5.2: an unauthenticated GET https://NODE:10250/pods must answer 401. */
export function kubeletAnonymous(url: string, p: HttpProbe): Verdict {
  const e = { expected: 'HTTP 401 Unauthorized to an anonymous request', actual: describeHttpProbe(p), source: `runner: GET ${url} with no credentials` };
  if (p.kind === 'http') {
    if (p.status === 401) return pass(e);
    if (p.status === 200) return fail(e, `The kubelet served its pod list to an anonymous caller: authentication.anonymous.enabled is true, or authorization is AlwaysAllow (KUBELET-3.3.4, 3.3.5).`);
    if (p.status === 403) return fail(e, `The kubelet accepted the anonymous caller as system:anonymous and only authorization refused it: anonymous authentication is enabled (KUBELET-3.3.4); it must answer 401.`);
    return error(e, `The kubelet answered ${p.status}, neither 401 nor a served list: the check cannot tell how it authenticates.`);
  }
  return error(e, `No HTTP answer from the kubelet API (${describeHttpProbe(p)}): the check could not observe how it treats anonymous requests.`);
}

/** KUBELET-3.5.3: a fresh ServiceAccount's token, which no RBAC grants anything, must get 403 on /pods. */
export function kubeletAuthorizes(url: string, p: HttpProbe): Verdict {
  const e = { expected: 'HTTP 403 Forbidden for a token with no RBAC', actual: describeHttpProbe(p), source: `runner: GET ${url} with a fresh ServiceAccount's token (TokenRequest)` };
  if (p.kind === 'http') {
    if (p.status === 403) return pass(e);
    if (p.status === 200) return fail(e, `The kubelet served its pod list to a ServiceAccount no RBAC grants anything: authorization.mode is not Webhook (KUBELET-3.3.5).`);
    if (p.status === 401) return fail(e, `The kubelet did not authenticate a valid ServiceAccount token: authentication.webhook.enabled is false (KUBELET-3.3.4), so it cannot authorize through the API server.`);
    return error(e, `The kubelet answered ${p.status}: the check cannot tell how it authorizes.`);
  }
  return error(e, `No HTTP answer from the kubelet API (${describeHttpProbe(p)}): the check could not observe its authorization.`);
}
