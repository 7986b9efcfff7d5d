// RES-6.2.1, RES-6.2.3 and SEC-4.2.5 over step outputs: real ones recorded from a private containerd
// (fixtures/live/records/README.md) and, where this machine cannot produce them (cgroup v2, other errnos, a ctr
// that exits with the task's code), edits of those records that say what they change.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../src/live-node/records.ts';
import { deniedHttpSyscalls, errnoMessage, unshareExpectation } from '../../src/seccomp/expectation.ts';
import { evaluateBomb, evaluateLimits, evaluateSeccomp, taskExitCode } from '../../src/live-node/verdicts.ts';

const dir = fileURLToPath(new URL('../../fixtures/live/', import.meta.url));
const recorded = (name: string): string => readFileSync(`${dir}records/${name}.txt`, 'utf8');
const profileText = readFileSync(`${dir}web-app.json`, 'utf8');
const profilePath = '/var/lib/kubelet/seccomp/profiles/web-app.json';
const src = 'ctr run on local';
/** A recorded output with lines whose key matches `drop` removed and `add` appended. */
const edit = (text: string, drop: RegExp, add = ''): string => text.split('\n').filter((l) => !drop.test(l)).join('\n') + add;

describe('RES-6.2.1 memory bomb', () => {
  it('passes on the recorded OOM kill: exit 137 from ctr 1.6\'s warning and oom_kill 1 from memory.oom_control', () => {
    const v = evaluateBomb(parseRecord(recorded('compliant-memory-bomb')), src);
    expect(v.status, v.message).toBe('pass');
    expect(v.actual).toBe('exit 137, oom_kill 1, limit 209715200');
    expect(v.source).toMatch(/memory\.oom_control$/);
  });

  it('passes when ctr exits with the task\'s code instead of warning, and reads cgroup v2 memory.events', () => {
    // containerd 2.x's ctr returns the exit status of `tasks delete` rather than logging it; v2 has memory.events.
    const text = edit(recorded('compliant-memory-bomb'), /^@@ (delete-|events|limit )/,
      '\n@@ events-file /sys/fs/cgroup/ns/bomb/memory.events\n@@ events low 0\n@@ events high 0\n@@ events max 38\n@@ events oom 1\n@@ events oom_kill 1\n@@ events oom_group_kill 0\n@@ limit 209715200\n@@ delete-exit 137\n@@ delete-out \n');
    expect(taskExitCode(parseRecord(text))).toBe(137);
    expect(evaluateBomb(parseRecord(text), src)).toMatchObject({ status: 'pass', actual: 'exit 137, oom_kill 1, limit 209715200' });
  });

  it('fails on the recorded dropped limit: dd finished with exit 0 and no OOM kill', () => {
    const v = evaluateBomb(parseRecord(recorded('limits-dropped-memory-bomb')), src);
    expect(v.status).toBe('fail');
    expect(v.actual).toBe('exit 0, oom_kill 0, limit 9223372036854771712');
    expect(v.message).toContain('allocated 500M and finished normally with no OOM kill');
  });

  it('fails when dd exits with its own error (allocation refused) and no OOM kill', () => {
    const text = edit(recorded('limits-dropped-memory-bomb'), /^@@ delete-out/, '\n@@ delete-out time="x" level=warning msg="task b exit with non-zero exit code 1"\n');
    expect(evaluateBomb(parseRecord(text), src)).toMatchObject({ status: 'fail', actual: 'exit 1, oom_kill 0, limit 9223372036854771712' });
  });

  it('is an error, never a pass, when SIGKILLed without an OOM kill counted', () => {
    const text = edit(recorded('compliant-memory-bomb'), /^@@ events oom_kill /, '\n@@ events oom_kill 0\n');
    const v = evaluateBomb(parseRecord(text), src);
    expect(v.status).toBe('error');
    expect(v.message).toContain('counted no OOM kill');
  });

  it('is an error when the cgroup\'s counter could not be read', () => {
    const v = evaluateBomb(parseRecord(edit(recorded('compliant-memory-bomb'), /^@@ events /)), src);
    expect(v).toMatchObject({ status: 'error', actual: 'exit 137, oom_kill unread' });
  });

  it('is an error when the container did not start, or did not end within the wait', () => {
    const notStarted = edit(recorded('compliant-memory-bomb'), /^@@ start-/, '\n@@ start-exit 1\n@@ start-out ctr: image "x": not found\n');
    expect(evaluateBomb(parseRecord(notStarted), src)).toMatchObject({ status: 'error', actual: 'not started' });
    expect(evaluateBomb(parseRecord(notStarted), src).message).toContain('ctr: image "x": not found');
    const running = edit(recorded('compliant-memory-bomb'), /^@@ task-status/, '\n@@ task-status RUNNING\n');
    expect(evaluateBomb(parseRecord(running), src)).toMatchObject({ status: 'error', actual: 'task RUNNING' });
  });

  it('is an error when ctr itself failed to delete the task (no exit code)', () => {
    const text = edit(recorded('compliant-memory-bomb'), /^@@ delete-/, '\n@@ delete-exit 1\n@@ delete-out ctr: connection refused\n');
    expect(evaluateBomb(parseRecord(text), src)).toMatchObject({ status: 'error' });
  });
});

describe('RES-6.2.3 limits in the cgroup', () => {
  const v2 = (memoryMax: string, cpuMax: string, runExit = 0): string =>
    `@@ cgroup v2\n@@ run-exit ${runExit}\n@@ in-memory.max ${memoryMax}\n@@ in-cpu.max ${cpuMax}\n`;
  // Recorded on this cgroup v1 host (private containerd 1.6.20, runc 1.1.5) through the limits step with the CRI's
  // cgroup mount, which runc fills with the container's own v1 cgroups; then through a ctr that drops the limit flags.
  const v1 = (mem: string, quota: string): string =>
    `@@ cgroup v1\n@@ run-exit 0\n@@ in-cgroup-dir /sys/fs/cgroup/memory\n@@ in-memory.limit_in_bytes ${mem}\n@@ in-cgroup-dir /sys/fs/cgroup/cpu\n@@ in-cpu.cfs_quota_us ${quota}\n@@ in-cpu.cfs_period_us 100000\n`;

  it('judges cgroup v1 by its own files: memory.limit_in_bytes and the CFS quota over its period', () => {
    // 200m is a quota of 20000 µs per 100000 µs period (cgroup v1 cpu controller, kernel sched-bwc.rst).
    const v = evaluateLimits(parseRecord(v1('134217728', '20000')), src);
    expect(v, v.message).toMatchObject({ status: 'pass', actual: 'memory.limit_in_bytes 134217728, cpu.cfs_quota_us 20000, cpu.cfs_period_us 100000' });
    expect(v.expected).toContain('(limits 128Mi / 200m, cgroup v1)');
    expect(v.source).toBe('ctr run on local, /sys/fs/cgroup/memory and /sys/fs/cgroup/cpu inside the container');
  });

  it('fails on v1 when the limits did not reach the cgroup (the unlimited values)', () => {
    const v = evaluateLimits(parseRecord(v1('9223372036854771712', '-1')), src);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('memory.limit_in_bytes is 9223372036854771712, not 134217728 and cpu.cfs_quota_us is -1, not 20000');
  });

  it('is an error on v1 when a file could not be read, with cat\'s words', () => {
    const text = v1('134217728', "cat: can't open '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': No such file or directory");
    const v = evaluateLimits(parseRecord(text), src);
    expect(v).toMatchObject({ status: 'error' });
    expect(v.message).toContain('did not report cpu.cfs_quota_us');
    expect(v.message).toContain('No such file or directory');
  });

  it('is an error when no cgroup version was printed (the step did not run)', () => {
    expect(evaluateLimits(parseRecord(recorded('compliant-limits').replace('@@ cgroup v1', '')), src)).toMatchObject({ status: 'error', actual: 'not observed' });
  });

  it('passes with 134217728 and "20000 100000" read inside the container', () => {
    expect(evaluateLimits(parseRecord(v2('134217728', '20000 100000')), src)).toMatchObject({ status: 'pass', actual: 'memory.max 134217728, cpu.max "20000 100000"' });
    // ctr gives no cgroup namespace: the container reads its own cgroup under the path /proc/self/cgroup names.
    const v = evaluateLimits(parseRecord(`@@ in-cgroup-dir /sys/fs/cgroup/ns/c\n${v2('134217728', '20000 100000')}`), src);
    expect(v.source).toBe('ctr run on local, /sys/fs/cgroup/ns/c inside the container');
  });

  it('fails naming each file that is wrong', () => {
    const v = evaluateLimits(parseRecord(v2('max', 'max 100000')), src);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('memory.max is max, not 134217728 and cpu.max is "max 100000", not "20000 100000"');
    expect(evaluateLimits(parseRecord(v2('134217728', '50000 100000')), src).message).toContain('cpu.max is "50000 100000"');
  });

  it('is an error when the container did not report both files', () => {
    const text = '@@ cgroup v2\n@@ run-exit 1\n@@ in-out cat: can\'t open \'/sys/fs/cgroup/cpu.max\': No such file or directory\n@@ in-memory.max 134217728\n@@ in-cpu.max \n';
    const v = evaluateLimits(parseRecord(text), src);
    expect(v).toMatchObject({ status: 'error', actual: 'memory.max 134217728, cpu.max unread' });
    expect(v.message).toContain('No such file');
    expect(evaluateLimits(parseRecord(''), src).status).toBe('error');
  });
});

describe('SEC-4.2.5 seccomp profile in a workload', () => {
  // The recorded run predates the HTTP probe: these are the probe's lines from this host's run of the same step
  // (busybox httpd served, busybox nc fetched, in the container's own network namespace), control and profiled.
  const httpOk = (who: string): string => `\n@@ ${who}-nc-exit 0\n@@ ${who}-http-status HTTP/1.1 200 OK\n@@ ${who}-http-body ours\n`;
  const withHttp = (text: string): string => `${text}${httpOk('control')}${httpOk('profiled')}`;
  const sec = (text: string, profile: string | undefined = profileText) => evaluateSeccomp(parseRecord(withHttp(text)), profile, profilePath, src);
  const secRaw = (text: string, profile: string = profileText) => evaluateSeccomp(parseRecord(text), profile, profilePath, src);
  /** The profile without `listen`, and what the profiled container printed under it on this host. */
  const noListen = (() => {
    const p = JSON.parse(profileText) as { syscalls: { names: string[] }[] };
    p.syscalls[0]!.names = p.syscalls[0]!.names.filter((n) => n !== 'listen');
    return JSON.stringify(p);
  })();
  const noListenRun = `${recorded('compliant-seccomp')}${httpOk('control')}\n@@ profiled-nc-exit 1\n@@ profiled-http-status \n` +
    '@@ profiled-httpd-err httpd: listen: Operation not permitted\n@@ profiled-nc-err nc: can\'t connect to remote host (127.0.0.1): Connection refused\n';

  it('passes when the workload answers HTTP under the profile and unshare gets its errno', () => {
    const v = sec(recorded('compliant-seccomp'));
    expect(v.status, v.message).toBe('pass');
    expect(v.actual).toBe('started; Seccomp: 2; HTTP answered (HTTP/1.1 200 OK); unshare exit 1: unshare: unshare(0x10000000): Operation not permitted');
    expect(v.expected).toContain('starts and answers HTTP');
  });

  it('fails when a profile denies what httpd needs, naming the call httpd reported and the rule that denies it', () => {
    const v = secRaw(noListenRun, noListen);
    expect(v.status, v.message).toBe('fail');
    expect(v.actual).toBe("started; Seccomp: 2; HTTP no answer: httpd: listen: Operation not permitted | nc: can't connect to remote host (127.0.0.1): Connection refused; unshare exit 1: unshare: unshare(0x10000000): Operation not permitted");
    expect(v.message).toContain('did not answer HTTP');
    expect(v.message).toContain('the profile denies listen (defaultAction SCMP_ACT_ERRNO), which httpd needs');
  });

  it('without a message from httpd, names every call of httpd and nc the profile denies', () => {
    // accept denied: busybox httpd retries accept(2) silently, so nc times out with nothing on httpd's stderr.
    const p = JSON.parse(profileText) as { syscalls: { names: string[] }[] };
    p.syscalls[0]!.names = p.syscalls[0]!.names.filter((n) => n !== 'accept' && n !== 'sendfile');
    const silent = `${recorded('compliant-seccomp')}${httpOk('control')}\n@@ profiled-nc-exit 1\n@@ profiled-http-status \n`;
    const v = secRaw(silent, JSON.stringify(p));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the profile denies accept (defaultAction SCMP_ACT_ERRNO), sendfile (defaultAction SCMP_ACT_ERRNO) of the calls busybox httpd and nc make');
  });

  it('when the profile allows all of httpd\'s and nc\'s calls, the failure says something else stopped it', () => {
    const silent = `${recorded('compliant-seccomp')}${httpOk('control')}\n@@ profiled-nc-exit 1\n@@ profiled-http-status \n`;
    const v = secRaw(silent);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('the profile allows every call busybox httpd and nc were seen making, so something else stopped it');
  });

  it('fails when the answer is not the document the workload wrote', () => {
    const other = `${recorded('compliant-seccomp')}${httpOk('control')}\n@@ profiled-nc-exit 0\n@@ profiled-http-status HTTP/1.1 404 Not Found\n`;
    const v = secRaw(other);
    expect(v.status).toBe('fail');
    expect(v.actual).toContain('HTTP HTTP/1.1 404 Not Found without the document');
  });

  it('is an error, never a pass, when the workload does not answer even without the profile (the control)', () => {
    const text = `${recorded('compliant-seccomp')}\n@@ control-nc-exit 1\n@@ control-http-status \n@@ control-nc-err nc: can't connect to remote host (127.0.0.1): Connection refused\n${httpOk('profiled')}`;
    const v = secRaw(text);
    expect(v).toMatchObject({ status: 'error', actual: 'control failed' });
    expect(v.message).toContain('does not answer even without the profile (HTTP no answer: nc: can\'t connect');
  });

  it('the guide\'s profile (traps avoided) allows every call httpd and nc make; one without listen does not', () => {
    // alarm(2) is the one call busybox httpd makes that the profile denies; httpd ignores its result (httpSyscalls).
    expect(deniedHttpSyscalls(profileText)).toEqual([]);
    expect(deniedHttpSyscalls(noListen)).toEqual(['listen (defaultAction SCMP_ACT_ERRNO)']);
  });

  it('fails on the recorded profile without execve: the container does not start', () => {
    const v = sec(recorded('no-execve-seccomp'));
    expect(v).toMatchObject({ status: 'fail', actual: 'did not start' });
    expect(v.message).toContain('exec /bin/sh: operation not permitted');
  });

  it('fails when the profile is not on the node', () => {
    expect(sec('@@ profile missing\n', undefined)).toMatchObject({ status: 'fail', actual: 'profile missing' });
  });

  it('fails when no filter is applied, when unshare succeeds, and when it fails with another errno', () => {
    const noFilter = edit(recorded('compliant-seccomp'), /^@@ profiled-seccomp-mode/, '\n@@ profiled-seccomp-mode 0\n');
    expect(sec(noFilter).message).toContain('not 2 (filter)');
    const allowed = edit(recorded('compliant-seccomp'), /^@@ profiled-unshare-/, '\n@@ profiled-unshare-exit 0\n');
    expect(sec(allowed)).toMatchObject({ status: 'fail' });
    expect(sec(allowed).message).toContain('unshare succeeded under the profile');
    const eacces = edit(recorded('compliant-seccomp'), /^@@ profiled-unshare-err/, '\n@@ profiled-unshare-err unshare: unshare(0x10000000): Permission denied\n');
    expect(sec(eacces).message).toContain('rather than the profile\'s "Operation not permitted"');
  });

  it('is an error when unshare fails without the profile too (the control), never a pass', () => {
    const text = edit(recorded('compliant-seccomp'), /^@@ control-unshare-exit/, '\n@@ control-unshare-exit 1\n@@ control-out unshare: unshare(0x10000000): Operation not permitted\n');
    const v = sec(text);
    expect(v).toMatchObject({ status: 'error', actual: 'control failed' });
    expect(v.message).toContain('could not be attributed to seccomp');
  });

  it('is an error when the profile allows unshare or cannot be read', () => {
    const allows = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW' });
    expect(sec(recorded('compliant-seccomp'), allows)).toMatchObject({ status: 'error', actual: 'unshare allowed (defaultAction SCMP_ACT_ALLOW)' });
    expect(sec(recorded('compliant-seccomp'), '{ not json')).toMatchObject({ status: 'error', actual: 'profile unreadable' });
  });

  it('takes the errno of a rule naming unshare (ENOSYS) and SIGSYS for KILL actions', () => {
    const enosys = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }] });
    const text = edit(recorded('compliant-seccomp'), /^@@ profiled-unshare-err/, '\n@@ profiled-unshare-err unshare: unshare(0x10000000): Function not implemented\n');
    expect(sec(text, enosys)).toMatchObject({ status: 'pass' });
    expect(sec(recorded('compliant-seccomp'), enosys)).toMatchObject({ status: 'fail' });
    const kill = JSON.stringify({ defaultAction: 'SCMP_ACT_KILL_PROCESS' });
    const killed = edit(recorded('compliant-seccomp'), /^@@ profiled-unshare-/, '\n@@ profiled-unshare-exit 159\n');
    expect(sec(killed, kill)).toMatchObject({ status: 'pass' });
    expect(sec(recorded('compliant-seccomp'), kill)).toMatchObject({ status: 'fail' });
  });
});

describe('what a profile answers unshare with', () => {
  // runc: SCMP_ACT_ERRNO without errnoRet is EPERM (libcontainer/seccomp/patchbpf and config conversion).
  it('reads defaultErrnoRet, rule errnoRet, conditional rules', () => {
    expect(unshareExpectation(profileText)).toEqual({ kind: 'errno', errno: 1, from: 'defaultAction SCMP_ACT_ERRNO' });
    expect(unshareExpectation(JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 13 }))).toMatchObject({ errno: 13 });
    expect(unshareExpectation(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['unshare'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] }] })).kind).toBe('unreadable');
    expect(errnoMessage(1)).toBe('Operation not permitted');
    expect(errnoMessage(4242)).toBeUndefined();
  });
});
