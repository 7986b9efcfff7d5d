// Server-side dry-run creates, the primitive SEC-4.3.4/4.3.5 need: the API server runs admission (Pod Security)
// on the object and answers as for a real create, but stores nothing, so there is nothing to clean up.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { statusMessage } from '../failure.ts';

export type DryRunOutcome =
  | { readonly kind: 'admitted' }
  /** 403 from admission: the message names the policy that refused it. */
  | { readonly kind: 'rejected'; readonly message: string }
  /** Anything else (401, 404 namespace, 5xx): the check could not observe admission and errors. */
  | { readonly kind: 'failed'; readonly status?: number; readonly message: string };

export async function dryRunCreatePod(kc: KubeConfig, namespace: string, pod: V1Pod): Promise<DryRunOutcome> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    await core.createNamespacedPod({ namespace, body: pod, dryRun: 'All' });
    return { kind: 'admitted' };
  } catch (err) {
    const e = err as { code?: unknown; body?: unknown; message?: unknown };
    const status = typeof e.code === 'number' ? e.code : undefined;
    const message = statusMessage(e.body) ?? (typeof e.message === 'string' ? e.message : String(err));
    // A 403 whose Status names the user's missing permission is RBAC, not admission: it must not read as "rejected".
    if (status === 403 && !/cannot create resource/.test(message)) return { kind: 'rejected', message };
    return { kind: 'failed', ...(status !== undefined ? { status } : {}), message: status === 403 ? `forbidden: create pods (core) in namespace ${namespace} — grant it with deploy/rbac.yaml (nodegate-live) (the server said: ${message})` : message };
  }
}
