// A fixture kubelet API for KUBELET-3.5.1–3.5.3: HTTPS (or HTTP for the read-only port) on 127.0.0.1 that answers
// as the kubelet's authn/authz filters do (pkg/kubelet/server/auth.go): no credentials → 401 when anonymous
// auth is off; a token → 403 when the webhook authorizer denies it; 200 with a pod list when let through.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCertificate } from './fake-apiserver.ts';

export interface KubeletBehaviour {
  /** authentication.anonymous.enabled */
  readonly anonymous: boolean;
  /** authentication.webhook.enabled: a bearer token is checked (TokenReview) rather than refused as unknown. */
  readonly webhookAuthn: boolean;
  /** authorization.mode: Webhook (SubjectAccessReview, denied for a token with no RBAC) or AlwaysAllow. */
  readonly authz: 'Webhook' | 'AlwaysAllow';
}

export const hardenedKubelet: KubeletBehaviour = { anonymous: false, webhookAuthn: true, authz: 'Webhook' };

export interface FakeKubelet {
  readonly url: string;
  /** Authorization headers received, in order (undefined: none sent). */
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

export async function startFakeKubelet(b: KubeletBehaviour, options: { tls?: boolean } = {}): Promise<FakeKubelet> {
  const authorizations: (string | undefined)[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    authorizations.push(req.headers.authorization);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const authenticated = token !== undefined ? b.webhookAuthn : b.anonymous;
    if (!authenticated) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Unauthorized');
      return;
    }
    if (b.authz === 'Webhook') {
      const user = token !== undefined ? 'system:serviceaccount:nodegate-run:nodegate-no-rbac' : 'system:anonymous';
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Forbidden (user=${user}, verb=get, resource=nodes, subresource=pods)`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] }));
  };
  const server = options.tls === false ? createHttpServer(handler) : createHttpsServer(makeCertificate(), handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls === false ? 'http' : 'https'}://127.0.0.1:${port}`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
