// At the start of a live run: delete the run namespaces of earlier runs whose expiry has passed (a run killed
// with SIGKILL, or a machine that died, cannot clean up after itself). Live ones belong to runs in progress.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { expiryState, runSelector } from './run-namespace.ts';

export interface SweepResult {
  readonly deleted: readonly string[];
  /** Not yet expired: another run may be using them. */
  readonly live: readonly string[];
  /** Without a readable expiry: left for a person. */
  readonly unknown: readonly string[];
  readonly failed: readonly { readonly name: string; readonly message: string }[];
}

const isNotFound = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;

export async function sweepExpired(kc: KubeConfig, now: Date): Promise<SweepResult> {
  const core = kc.makeApiClient(CoreV1Api);
  const list = await core.listNamespace({ labelSelector: runSelector });
  const deleted: string[] = [];
  const live: string[] = [];
  const unknown: string[] = [];
  const failed: { name: string; message: string }[] = [];
  for (const ns of list.items) {
    const name = ns.metadata?.name ?? '';
    const state = expiryState(ns, now);
    if (state === 'live') live.push(name);
    else if (state === 'unknown') unknown.push(name);
    else {
      try {
        await core.deleteNamespace({ name });
        deleted.push(name);
      } catch (err) {
        if (isNotFound(err)) deleted.push(name);
        else failed.push({ name, message: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return { deleted, live, unknown, failed };
}
