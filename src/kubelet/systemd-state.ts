// systemd's runtime record of a unit (`systemctl show`: state, result, automatic restarts, when the current run
// began) read together with the node's clock, so a service in a crash loop is told apart from one that is up.

/** The properties read; NRestarts exists since systemd 235, the rest since long before. */
export const unitStateProperties = ['ActiveState', 'SubState', 'Result', 'NRestarts', 'ActiveEnterTimestamp', 'ActiveEnterTimestampMonotonic', 'ExecMainStatus'] as const;

/**
 * The probe snippet for one unit (a constant of this repository, never a node value). It prints the node's clock
 * twice — wall time (`date -u +%s`) and time since boot (/proc/uptime) — and then the properties, with TZ=UTC so
 * the timestamps systemctl prints parse without knowing the node's zone.
 */
export function unitStateScript(unit: string): string {
  if (!/^[A-Za-z0-9@_.-]+$/.test(unit)) throw new Error(`not a unit name: ${unit}`);
  return [
    'echo "NodeClockRealtime=$(date -u +%s)"',
    'read -r up _ 2>/dev/null < /proc/uptime && echo "NodeClockUptime=$up"',
    `TZ=UTC LC_ALL=C systemctl show ${unit} --no-pager ${unitStateProperties.map((p) => `-p ${p}`).join(' ')}`,
  ].join('\n');
}

export interface UnitState {
  readonly activeState?: string;
  readonly subState?: string;
  readonly result?: string;
  readonly nRestarts?: number;
  readonly execMainStatus?: number;
  /** Seconds since the unit last entered "active", by the node's own clock; undefined when never or unknown. */
  readonly activeForSeconds?: number;
  /** "Mon 2026-11-30 05:56:26 UTC" as systemd printed it. */
  readonly activeSince?: string;
  /** Which clock measured activeForSeconds. */
  readonly clock?: 'monotonic' | 'realtime';
}

const num = (s: string | undefined): number | undefined => (s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined);

/** "Mon 2026-11-30 05:56:26 UTC" (TZ=UTC) as seconds since the epoch. */
export function parseSystemdUtc(text: string): number | undefined {
  const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

export function parseUnitState(stdout: string): UnitState {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) kv.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const get = (k: string): string | undefined => {
    const v = kv.get(k);
    return v === undefined || v === '' ? undefined : v;
  };
  // The monotonic pair is preferred: a wall clock that NTP steps after boot would shift one side and not the other.
  // /proc/uptime counts suspended time and CLOCK_MONOTONIC does not; servers do not suspend.
  const enteredMono = num(get('ActiveEnterTimestampMonotonic'));
  const upSec = num(get('NodeClockUptime'));
  const enteredWall = get('ActiveEnterTimestamp');
  const nowWall = num(get('NodeClockRealtime'));
  let activeForSeconds: number | undefined;
  let clock: UnitState['clock'];
  if (enteredMono !== undefined && enteredMono > 0 && upSec !== undefined) {
    activeForSeconds = Math.max(0, Math.round(upSec - enteredMono / 1e6));
    clock = 'monotonic';
  } else if (enteredWall !== undefined && nowWall !== undefined) {
    const at = parseSystemdUtc(enteredWall);
    if (at !== undefined) {
      activeForSeconds = Math.max(0, Math.round(nowWall - at));
      clock = 'realtime';
    }
  }
  const pick = <T>(k: string, v: T | undefined): Record<string, T> => (v === undefined ? {} : { [k]: v });
  return {
    ...pick('activeState', get('ActiveState')),
    ...pick('subState', get('SubState')),
    ...pick('result', get('Result')),
    ...pick('nRestarts', num(get('NRestarts'))),
    ...pick('execMainStatus', num(get('ExecMainStatus'))),
    ...pick('activeForSeconds', activeForSeconds),
    ...pick('activeSince', enteredWall),
    ...pick('clock', clock),
  };
}

/** "4m 5s", "2h 3m", "3d 1h": how long a run has lasted. */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
