// Turns what a Kubernetes API call threw into a typed ReadFailure that names the missing verb and resource,
// and decides which failures are transient (retried) and how long the server asked us to wait.
import type { ReadFailure } from './types.ts';

/** An API request in RBAC terms, so a 403 can say exactly what to grant. */
export interface ApiRequest {
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'delete';
  /** Resource (and subresource): "pods", "nodes/proxy", "networkpolicies". */
  readonly resource: string;
  /** API group, '' for core. */
  readonly group: string;
  /** Namespace, or undefined for cluster scope. */
  readonly namespace?: string;
  /** Object name for a get. */
  readonly name?: string;
  /** A non-resource URL (/version): RBAC grants it by nonResourceURLs. */
  readonly nonResourceURL?: string;
}

export function describeRequest(r: ApiRequest): string {
  if (r.nonResourceURL) return `${r.verb} ${r.nonResourceURL} (non-resource URL)`;
  const scope = r.namespace ? `in namespace ${r.namespace}` : 'at cluster scope';
  return `${r.verb} ${r.resource} (${r.group === '' ? 'core' : r.group})${r.name ? ` ${r.name}` : ''} ${scope}`;
}

/** What a thrown value tells us: an HTTP status with headers and body, or a network error code. */
interface Observed {
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly code?: string;
  readonly text: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function observe(err: unknown): Observed {
  if (!isRecord(err)) return { headers: {}, body: undefined, text: String(err) };
  const status = typeof err['code'] === 'number' ? err['code'] : typeof err['statusCode'] === 'number' ? err['statusCode'] : undefined;
  const rawHeaders = isRecord(err['headers']) ? err['headers'] : {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
  // undici wraps socket errors: TypeError('fetch failed') with cause { code: 'ECONNRESET' }.
  let code: string | undefined;
  for (let e: unknown = err, depth = 0; isRecord(e) && depth < 5; e = e['cause'], depth++) {
    if (typeof e['code'] === 'string') {
      code = e['code'];
      break;
    }
  }
  const text = err instanceof Error ? err.message : String(err);
  return { ...(status !== undefined ? { status } : {}), headers, body: err['body'], ...(code ? { code } : {}), text };
}

/** The message of a Kubernetes Status body, whether the client parsed it or left it as text. */
export function statusMessage(body: unknown): string | undefined {
  let b = body;
  if (typeof body === 'string') {
    try {
      b = JSON.parse(body) as unknown;
    } catch {
      return body.trim() || undefined;
    }
  }
  return isRecord(b) && typeof b['message'] === 'string' ? b['message'] : undefined;
}

const transientCodes = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'EAI_AGAIN']);

export const isTransientStatus = (status: number): boolean => status === 429 || (status >= 500 && status <= 504);

/** Whether to try again: 429, 500–504 and connection resets; never 401/403/404. */
export function isTransient(err: unknown): boolean {
  const o = observe(err);
  if (o.status !== undefined) return isTransientStatus(o.status);
  return o.code !== undefined && transientCodes.has(o.code);
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const v = observe(err).headers['retry-after'];
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const rbacHint = 'grant it with deploy/rbac.yaml';

export function classifyFailure(err: unknown, req: ApiRequest): ReadFailure {
  const o = observe(err);
  const request = describeRequest(req);
  const detail = statusMessage(o.body);
  const said = detail ? ` (the server said: ${detail})` : '';
  if (o.status === 401) return { kind: 'unauthorized', status: 401, request, message: `unauthorized: ${request} — the kubeconfig's credentials were rejected (expired token or certificate?)${said}` };
  if (o.status === 403) return { kind: 'forbidden', status: 403, request, message: `forbidden: ${request} — ${rbacHint}${said}` };
  if (o.status === 404) return { kind: 'not-found', status: 404, request, message: `not found: ${request}${said}` };
  if (o.status !== undefined && isTransientStatus(o.status)) return { kind: 'transient', status: o.status, request, message: `${request} kept failing with HTTP ${o.status} after retries${said}` };
  if (o.status !== undefined) return { kind: 'invalid', status: o.status, request, message: `${request} answered HTTP ${o.status}${said}` };
  if (o.code !== undefined) return { kind: 'unreachable', request, message: `${request}: the API server could not be reached (${o.code}: ${o.text})` };
  return { kind: 'invalid', request, message: `${request}: ${o.text}` };
}
