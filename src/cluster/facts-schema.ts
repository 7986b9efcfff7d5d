// The shape of ClusterFacts as a schema, so a snapshot file's cluster part is checked field by field when it is
// replayed (an edited or older file is refused naming the field, never half-read into a pass).
import { z } from 'zod';
import type { ClusterFacts } from './types.ts';

const str = z.string();
const strMap = z.record(z.string(), z.string());

const failure = z
  .object({
    kind: z.enum(['unauthorized', 'forbidden', 'not-found', 'transient', 'unreachable', 'invalid']),
    status: z.number().int().optional(),
    request: str,
    message: str,
  })
  .strict();

const read = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value, attempts: z.number().int().min(0) }).strict(), z.object({ ok: z.literal(false), failure, attempts: z.number().int().min(0) }).strict()]);

const seccomp = z.object({ type: str, localhostProfile: str.optional() }).strict();
// lastHeartbeatTime is optional: snapshots written before the projection kept it still replay.
const condition = z.object({ type: str, status: str, reason: str.optional(), message: str.optional(), lastHeartbeatTime: str.optional() }).strict();

const pod = z
  .object({
    namespace: str,
    name: str,
    labels: strMap,
    nodeName: str.optional(),
    phase: str,
    ready: z.boolean(),
    hostPID: z.boolean(),
    hostIPC: z.boolean(),
    hostNetwork: z.boolean(),
    seccompProfile: seccomp.optional(),
    hostPathVolumes: z.array(z.object({ name: str, path: str }).strict()),
    containers: z.array(
      z
        .object({
          name: str,
          kind: z.enum(['container', 'init', 'ephemeral']),
          image: str,
          privileged: z.boolean().optional(),
          allowPrivilegeEscalation: z.boolean().optional(),
          readOnlyRootFilesystem: z.boolean().optional(),
          seccompProfile: seccomp.optional(),
        })
        .strict(),
    ),
    containerStatuses: z.array(z.object({ name: str, ready: z.boolean(), restartCount: z.number().int(), state: z.enum(['running', 'waiting', 'terminated', 'unknown']), reason: str.optional() }).strict()),
  })
  .strict();

export const clusterFactsSchema = z
  .object({
    format: z.literal('nodegate-cluster/1'),
    node: str.min(1),
    server: str,
    context: str,
    gatheredAt: str,
    durationMs: z.number().min(0),
    version: read(z.object({ gitVersion: str, major: str, minor: str }).strict()),
    nodeObject: read(
      z
        .object({ name: str, labels: strMap, kubeletVersion: str, conditions: z.array(condition), capacity: strMap, allocatable: strMap, addresses: z.array(z.object({ type: str, address: str }).strict()) })
        .strict(),
    ),
    podsOnNode: read(z.array(pod)),
    namespaces: read(z.array(z.object({ name: str, labels: strMap }).strict())),
    networkPolicies: z.record(str, read(z.array(z.object({ namespace: str, name: str, selectsAllPods: z.boolean(), policyTypes: z.array(str), ingressRules: z.number().int().min(0) }).strict()))),
    systemPods: read(z.array(pod)),
    configz: read(z.record(str, z.unknown())),
    nodeMetrics: read(z.object({ cpu: str, memory: str, timestamp: str.optional() }).strict()),
  })
  .strict();

export type ParsedClusterFacts = { readonly ok: true; readonly facts: ClusterFacts } | { readonly ok: false; readonly error: string };

/** Validates replayed cluster facts; the error names the first wrong field ("podsOnNode.value[2].phase: …"). */
export function parseClusterFacts(data: unknown, where: string): ParsedClusterFacts {
  const r = clusterFactsSchema.safeParse(data);
  if (r.success) return { ok: true, facts: r.data as ClusterFacts };
  const issue = r.error.issues[0];
  const path = issue ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '';
  return { ok: false, error: `${where}: cluster facts field "${path || '(root)'}": ${issue?.message ?? 'invalid'}` };
}
