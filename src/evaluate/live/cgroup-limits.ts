// RES-6.2.3's judgement of what the limits pod read from its own cgroup: cgroup v2 (memory.max, cpu.max) when the
// container has them, else cgroup v1 as runc mounts the container's own cgroups (memory/memory.limit_in_bytes,
// cpu/cpu.cfs_quota_us and cpu.cfs_period_us), the same numbers judged either way; never a pass from neither.
import { error, fail, pass, type Evidence, type Verdict } from '../verdict.ts';

/** The files the limits pod prints, relative to /sys/fs/cgroup inside the container, each as one marker line. */
export const cgroupLimitFiles = ['memory.max', 'cpu.max', 'memory/memory.limit_in_bytes', 'cpu/cpu.cfs_quota_us', 'cpu/cpu.cfs_period_us'] as const;
export type CgroupLimitFile = (typeof cgroupLimitFiles)[number];

/** limits 128Mi / 200m: 128 × 2^20 bytes, and 200 millicores as a CFS quota of 20 ms per 100 ms period. */
export const wantLimits = { memoryBytes: 134217728, quotaUs: 20000, periodUs: 100000 } as const;

/** A value the pod printed: the file's content, or undefined when `cat` failed (its message is not a value). */
function value(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  // busybox: "cat: can't open '/sys/fs/cgroup/memory.max': No such file or directory"; coreutils: "cat: …: No such file…".
  if (t === '' || /^cat: /.test(t) || /No such file|Permission denied|Not a directory/.test(t)) return undefined;
  return t;
}

/** Why a file's line is not a value, for the message. */
const why = (file: string, text: string | undefined): string => (text === undefined ? `${file} not reported` : `${file}: ${text.trim() || 'empty'}`);

export interface LimitsReading {
  readonly hierarchy: 'v2' | 'v1' | 'none';
  readonly verdict: Verdict;
}

/**
 * Judges the limits pod's lines (file → printed text). v2 wins when memory.max is readable (a hybrid host has no
 * memory.max at the container's cgroup root, so it is read as v1); v1 needs all three of its files.
 */
export function judgeCgroupLimits(lines: ReadonlyMap<string, string>, e: Omit<Evidence, 'actual'>): LimitsReading {
  const get = (f: CgroupLimitFile): string | undefined => value(lines.get(f));
  const memV2 = get('memory.max');
  const cpuV2 = get('cpu.max');
  if (memV2 !== undefined || cpuV2 !== undefined) {
    const source = `${e.source} (cgroup v2: /sys/fs/cgroup/memory.max, cpu.max)`;
    const actual = `memory.max ${memV2 ?? 'unread'}, cpu.max "${cpuV2 ?? 'unread'}"`;
    if (memV2 === undefined || cpuV2 === undefined) {
      return { hierarchy: 'v2', verdict: error({ ...e, source, actual }, `The container is on cgroup v2 but one file could not be read (${why(memV2 === undefined ? 'memory.max' : 'cpu.max', lines.get(memV2 === undefined ? 'memory.max' : 'cpu.max'))}).`) };
    }
    const wrong: string[] = [];
    if (memV2 !== String(wantLimits.memoryBytes)) wrong.push(`memory.max is ${memV2}, not ${wantLimits.memoryBytes}`);
    if (cpuV2 !== `${wantLimits.quotaUs} ${wantLimits.periodUs}`) wrong.push(`cpu.max is "${cpuV2}", not "${wantLimits.quotaUs} ${wantLimits.periodUs}"`);
    return { hierarchy: 'v2', verdict: limitsVerdict({ ...e, source, actual }, wrong, 'cgroup v2') };
  }
  const mem = get('memory/memory.limit_in_bytes');
  const quota = get('cpu/cpu.cfs_quota_us');
  const period = get('cpu/cpu.cfs_period_us');
  if (mem !== undefined || quota !== undefined || period !== undefined) {
    const source = `${e.source} (cgroup v1: /sys/fs/cgroup/memory/memory.limit_in_bytes, cpu/cpu.cfs_quota_us, cpu/cpu.cfs_period_us)`;
    const actual = `memory.limit_in_bytes ${mem ?? 'unread'}, cpu.cfs_quota_us ${quota ?? 'unread'}, cpu.cfs_period_us ${period ?? 'unread'}`;
    const missing = (['memory/memory.limit_in_bytes', 'cpu/cpu.cfs_quota_us', 'cpu/cpu.cfs_period_us'] as const).filter((f) => get(f) === undefined);
    if (missing.length > 0) return { hierarchy: 'v1', verdict: error({ ...e, source, actual }, `The container is on cgroup v1 but not every limit file could be read (${missing.map((f) => why(f, lines.get(f))).join('; ')}).`) };
    const wrong: string[] = [];
    if (mem !== String(wantLimits.memoryBytes)) wrong.push(`memory.limit_in_bytes is ${mem}, not ${wantLimits.memoryBytes}`);
    // v1 has no "max": no quota is -1 (unlimited CPU).
    if (quota !== String(wantLimits.quotaUs) || period !== String(wantLimits.periodUs)) wrong.push(`cpu.cfs_quota_us/cfs_period_us are ${quota}/${period}, not ${wantLimits.quotaUs}/${wantLimits.periodUs}`);
    return { hierarchy: 'v1', verdict: limitsVerdict({ ...e, source, actual }, wrong, 'cgroup v1') };
  }
  const actual = 'neither cgroup v2 nor v1 limit files readable';
  const seen = cgroupLimitFiles.map((f) => why(f, lines.get(f))).join('; ');
  return { hierarchy: 'none', verdict: error({ ...e, actual }, `The container could read neither its cgroup v2 files nor its cgroup v1 ones, so whether its limits were applied cannot be seen: ${seen}.`) };
}

function limitsVerdict(e: Evidence, wrong: readonly string[], hierarchy: string): Verdict {
  if (wrong.length === 0) return pass(e, `read from the container's own ${hierarchy} files`);
  return fail(e, `Inside a pod limited to 128Mi / 200m, ${wrong.join(' and ')} (${hierarchy}): the pod's limits did not reach its cgroup. Check that containerd and the kubelet agree on the cgroup driver (RT-2.2.3).`);
}
