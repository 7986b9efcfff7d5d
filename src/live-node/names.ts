// Names of what one on-node live run creates: every one carries the run ID (a UTC timestamp and a random part),
// so a run that died without cleaning up is recognised, and aged, by the next run's sweep.
import { randomBytes } from 'node:crypto';

/** The containerd namespace prefix; a run's namespace is `nodegate-live-<runId>`, holding nothing else. */
export const namespacePrefix = 'nodegate-live-';

/** "20261130t064500-3f9a1c": sortable by start time, unique per run, valid in containerd and cgroup names. */
export function newLiveRunId(now: Date, random: () => string = () => randomBytes(3).toString('hex')): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').toLowerCase();
  return `${stamp}-${random()}`;
}

export const liveNamespace = (runId: string): string => `${namespacePrefix}${runId}`;

/** A container's name: the run ID in it too, so `ctr containers ls` anywhere says whose it is. */
export const liveContainer = (runId: string, role: string): string => `ng-${runId}-${role}`;

const namespacePattern = /^nodegate-live-(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})-[0-9a-f]{6}$/;

/** When the run that made this namespace started; undefined for a name nodegate did not make. */
export function namespaceStartedAt(name: string): Date | undefined {
  const m = namespacePattern.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** The namespaces a sweep removes: ours, and older than the TTL (younger ones may belong to a run in progress). */
export function expiredNamespaces(names: readonly string[], now: Date, ttlMs: number): string[] {
  return names.filter((n) => {
    const started = namespaceStartedAt(n);
    return started !== undefined && now.getTime() - started.getTime() > ttlMs;
  });
}
