// What the machine running nodegate sees of a node from outside: does something speak HTTP on a port (a kubelet
// answering, told apart from a forwarded port that only accepts TCP), and how does the kubelet API treat a caller?
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One HTTP(S) GET. `http` is an answer (any status); `no-http` means the TCP handshake succeeded but no HTTP
 * response came (a port forward, a TLS-only or non-HTTP listener, a peer that closed or stayed silent);
 * `refused`/`timeout` mean no connection at all. `tls-error` is a TLS handshake that failed.
 */
export type HttpProbe =
  | { readonly kind: 'http'; readonly status: number; readonly body: string }
  | { readonly kind: 'no-http'; readonly detail: string }
  | { readonly kind: 'tls-error'; readonly detail: string }
  | { readonly kind: 'refused' }
  | { readonly kind: 'timeout' }
  /** No connection for another reason (the name did not resolve, no route): the node was not reached. */
  | { readonly kind: 'unreachable'; readonly detail: string };

export interface HttpProbeOptions {
  readonly timeoutMs: number;
  /** Sent as `Authorization: Bearer …`; none: an anonymous request. */
  readonly bearerToken?: string;
}

const bodyLimit = 2048;
const tlsCodes = /^(ERR_SSL_|EPROTO$|ECONNRESET_TLS$)/;

/**
 * GET `url` without verifying the server's certificate: the checks ask how the kubelet treats a caller (401,
 * 403), not who it is, and a kubelet's self-signed serving certificate must not turn that into an error. The
 * only credential ever sent is the throwaway token of KUBELET-3.5.3's ServiceAccount, deleted with the run.
 */
export function httpProbe(url: string, options: HttpProbeOptions): Promise<HttpProbe> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    let connected = false;
    const done = (r: HttpProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = request(u, { method: 'GET', rejectUnauthorized: false, agent: false, headers: options.bearerToken ? { authorization: `Bearer ${options.bearerToken}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < bodyLimit) body += chunk;
      });
      const end = (): void => done({ kind: 'http', status: res.statusCode ?? 0, body: body.slice(0, bodyLimit) });
      res.on('end', end);
      res.on('error', end);
    });
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        connected = true;
      });
    });
    // One deadline for the whole exchange: a listener that accepts and never answers is "no-http", not a hang.
    const timer = setTimeout(() => done(connected ? { kind: 'no-http', detail: `connected, but no HTTP answer within ${options.timeoutMs}ms` } : { kind: 'timeout' }), options.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') return done({ kind: 'refused' });
      if (!connected) return done(e.code === 'ETIMEDOUT' ? { kind: 'timeout' } : { kind: 'unreachable', detail: `${e.code ?? ''} ${e.message}`.trim() });
      if (e.code && tlsCodes.test(e.code)) return done({ kind: 'tls-error', detail: e.message });
      done({ kind: 'no-http', detail: `connected, but ${e.code === 'ECONNRESET' || e.code === 'HPE_INVALID_CONSTANT' ? 'the peer did not speak HTTP' : 'no HTTP answer'} (${e.code ?? e.message})` });
    });
    req.end();
  });
}

/** How an HttpProbe reads in a verdict. */
export function describeHttpProbe(p: HttpProbe): string {
  switch (p.kind) {
    case 'http':
      return `HTTP ${p.status}`;
    case 'no-http':
      return `TCP open, no HTTP answer: ${p.detail}`;
    case 'tls-error':
      return `TLS handshake failed: ${p.detail}`;
    case 'refused':
      return 'connection refused';
    case 'timeout':
      return 'no connection (timed out)';
    case 'unreachable':
      return `not reached: ${p.detail}`;
  }
}
