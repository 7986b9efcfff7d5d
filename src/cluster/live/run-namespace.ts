// One namespace per live run, labelled with the run ID and annotated with an expiry, so a run that dies without
// cleaning up is found and removed by the next run's sweep.
import { randomBytes } from 'node:crypto';
import type { V1Namespace } from '@kubernetes/client-node';

export const liveLabels = {
  managedBy: 'app.kubernetes.io/managed-by',
  runId: 'nodegate.io/run-id',
  node: 'nodegate.io/node',
} as const;
export const managedByValue = 'nodegate';
export const expiryAnnotation = 'nodegate.io/expires-at';
/** The selector the sweep lists with: only namespaces nodegate made. */
export const runSelector = `${liveLabels.managedBy}=${managedByValue}`;

/** "20261130t061500-3f9a1c": sortable by start time, unique per run, a valid label value and name part. */
export function newRunId(now: Date, random: () => string = () => randomBytes(3).toString('hex')): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').toLowerCase();
  return `${stamp}-${random()}`;
}

export const runNamespaceName = (runId: string): string => `nodegate-${runId}`;

/** The run's namespace: Pod Security restricted enforced (probe pods must pass it), labelled, with its expiry. */
export function runNamespaceManifest(runId: string, node: string, expiresAt: Date): V1Namespace {
  return {
    metadata: {
      name: runNamespaceName(runId),
      labels: {
        [liveLabels.managedBy]: managedByValue,
        [liveLabels.runId]: runId,
        [liveLabels.node]: node,
        'pod-security.kubernetes.io/enforce': 'restricted',
      },
      annotations: { [expiryAnnotation]: expiresAt.toISOString() },
    },
  };
}

/** Expired, live, or unknown (no or unreadable annotation: left alone, a person decides). */
export function expiryState(ns: V1Namespace, now: Date): 'expired' | 'live' | 'unknown' {
  const text = ns.metadata?.annotations?.[expiryAnnotation];
  if (text === undefined) return 'unknown';
  const at = Date.parse(text);
  if (Number.isNaN(at)) return 'unknown';
  return at <= now.getTime() ? 'expired' : 'live';
}
