// RES-6.2.3 through the cluster on either cgroup hierarchy: the limits pod prints its v2 and v1 files, and the
// verdict judges the same numbers from whichever the container has, naming it; neither readable is an error.
// Inside a container runc mounts its own cgroups at /sys/fs/cgroup: on v1 one directory per hierarchy, with
// "cpu" a symlink to the co-mounted "cpu,cpuacct" (opencontainers/runc libcontainer/rootfs_linux.go, mountCgroupV1:
// "create symlinks for merged cgroups"), so cpu/cpu.cfs_quota_us is the container's quota on v1.
import { describe, expect, test } from 'vitest';
import { cgroupLimitFiles, judgeCgroupLimits } from '../../src/evaluate/live/cgroup-limits.ts';
import { limitsPod, markers } from '../../src/evaluate/live/pods.ts';

const e = { expected: 'limits 128Mi / 200m in the cgroup', source: 'pod ns/limits' };
/** What busybox cat prints for a file the container does not have. */
const absent = (f: string): string => `cat: can't open '/sys/fs/cgroup/${f}': No such file or directory`;
const log = (lines: Record<string, string>): Map<string, string> => markers(Object.entries(lines).map(([f, v]) => `NODEGATE ${f} ${v}`).join('\n'));

/** The pod's lines on a v1 node (this project's host and the real cluster lab's worker): no v2 files. */
const v1 = (mem: string, quota: string, period = '100000'): Map<string, string> =>
  log({ 'memory.max': absent('memory.max'), 'cpu.max': absent('cpu.max'), 'memory/memory.limit_in_bytes': mem, 'cpu/cpu.cfs_quota_us': quota, 'cpu/cpu.cfs_period_us': period });
const v2 = (mem: string, cpu: string): Map<string, string> =>
  log({ 'memory.max': mem, 'cpu.max': cpu, 'memory/memory.limit_in_bytes': absent('memory/memory.limit_in_bytes'), 'cpu/cpu.cfs_quota_us': absent('cpu/cpu.cfs_quota_us'), 'cpu/cpu.cfs_period_us': absent('cpu/cpu.cfs_period_us') });

describe('the limits pod', () => {
  test('prints every v2 and v1 file as its own marker line, with cat\'s error when absent', () => {
    const script = limitsPod('limits', 'busybox:1.36').spec?.containers[0]?.command?.[2] ?? '';
    for (const f of cgroupLimitFiles) expect(script).toContain(`echo "NODEGATE ${f} $(cat /sys/fs/cgroup/${f} 2>&1)"`);
    expect(limitsPod('limits', 'busybox:1.36').spec?.containers[0]?.resources?.limits).toEqual({ memory: '128Mi', cpu: '200m' });
  });
});

describe('cgroup v2', () => {
  test('memory.max 134217728 and cpu.max "20000 100000": pass, from v2', () => {
    const r = judgeCgroupLimits(v2('134217728', '20000 100000'), e);
    expect(r.hierarchy).toBe('v2');
    expect(r.verdict).toMatchObject({ status: 'pass', actual: 'memory.max 134217728, cpu.max "20000 100000"' });
    expect(r.verdict.source).toContain('cgroup v2');
  });
  test('limits not applied (max): fail naming v2', () => {
    const r = judgeCgroupLimits(v2('max', 'max 100000'), e);
    expect(r.verdict.status).toBe('fail');
    expect(r.verdict.message).toContain('memory.max is max, not 134217728 and cpu.max is "max 100000", not "20000 100000" (cgroup v2)');
  });
  test('one v2 file unreadable: error, not a verdict on half the evidence', () => {
    const r = judgeCgroupLimits(log({ 'memory.max': '134217728', 'cpu.max': absent('cpu.max') }), e);
    expect(r.verdict.status).toBe('error');
  });
});

describe('cgroup v1 (runc\'s per-hierarchy mounts)', () => {
  test('memory.limit_in_bytes 134217728, quota 20000 / period 100000: pass, from v1', () => {
    const r = judgeCgroupLimits(v1('134217728', '20000'), e);
    expect(r.hierarchy).toBe('v1');
    expect(r.verdict).toMatchObject({ status: 'pass', actual: 'memory.limit_in_bytes 134217728, cpu.cfs_quota_us 20000, cpu.cfs_period_us 100000' });
    expect(r.verdict.source).toContain('cgroup v1');
    expect(r.verdict.message).toContain('cgroup v1');
  });
  test('no limits (v1 "unlimited": the page-rounded LONG_MAX and quota -1): fail naming v1', () => {
    const r = judgeCgroupLimits(v1('9223372036854771712', '-1'), e);
    expect(r.verdict.status).toBe('fail');
    expect(r.verdict.message).toContain('memory.limit_in_bytes is 9223372036854771712, not 134217728');
    expect(r.verdict.message).toContain('cpu.cfs_quota_us/cfs_period_us are -1/100000, not 20000/100000 (cgroup v1)');
  });
  test('a wrong period alone fails too', () => {
    expect(judgeCgroupLimits(v1('134217728', '20000', '50000'), e).verdict.status).toBe('fail');
  });
  test('a v1 file unreadable (no cpu controller mounted): error', () => {
    const r = judgeCgroupLimits(v1('134217728', absent('cpu/cpu.cfs_quota_us'), absent('cpu/cpu.cfs_period_us')), e);
    expect(r.verdict.status).toBe('error');
    expect(r.verdict.message).toContain('cpu/cpu.cfs_quota_us: cat:');
  });
});

describe('neither hierarchy', () => {
  test('every file unreadable: error, never a pass', () => {
    const all = log(Object.fromEntries(cgroupLimitFiles.map((f) => [f, absent(f)])));
    const r = judgeCgroupLimits(all, e);
    expect(r.hierarchy).toBe('none');
    expect(r.verdict).toMatchObject({ status: 'error', actual: 'neither cgroup v2 nor v1 limit files readable' });
  });
  test('no lines at all: error', () => {
    expect(judgeCgroupLimits(new Map(), e).verdict.status).toBe('error');
  });
  test('permission denied is not a value', () => {
    const r = judgeCgroupLimits(log({ 'memory.max': "cat: can't open '/sys/fs/cgroup/memory.max': Permission denied", 'cpu.max': "cat: can't open '/sys/fs/cgroup/cpu.max': Permission denied" }), e);
    expect(r.verdict.status).toBe('error');
  });
});
