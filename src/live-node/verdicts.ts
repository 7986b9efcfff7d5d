// RES-6.2.1, RES-6.2.3 and SEC-4.2.5 judged from what the node's own kernel did to containers run through its
// containerd (the records of scripts.ts): pass only on that evidence, error whenever it could not be observed.
import { error, fail, pass, type Verdict } from '../evaluate/verdict.ts';
import { all, excerpt, first, intOf, type Record_ } from './records.ts';
import { bomb, limits } from './scripts.ts';
import { deniedHttpSyscalls, errnoMessage, unshareExpectation } from '../seccomp/expectation.ts';

const mib = (bytes: number): string => `${bytes / 1024 / 1024}Mi`;

/**
 * The task's exit code from `ctr tasks delete`: containerd 1.x prints "task NAME exit with non-zero exit code N"
 * and exits 0; a ctr that exits with the task's code instead prints nothing. A "ctr: ..." line is ctr's own error.
 */
export function taskExitCode(r: Record_): number | undefined {
  const out = all(r, 'delete-out').join('\n');
  const warned = /exit with non-zero exit code (\d+)/.exec(out);
  if (warned) return Number(warned[1]);
  const rc = intOf(r, 'delete-exit');
  if (rc === undefined || /^ctr: /m.test(out)) return undefined;
  return rc;
}

/** The oom_kill counter: cgroup v2 memory.events and v1 memory.oom_control both have an `oom_kill N` line. */
export function oomKills(r: Record_): number | undefined {
  for (const line of all(r, 'events')) {
    const m = /^oom_kill (\d+)$/.exec(line.trim());
    if (m) return Number(m[1]);
  }
  return undefined;
}

export function evaluateBomb(r: Record_, source: string): Verdict {
  const expected = `exit 137 and oom_kill ≥ 1 (limit ${mib(bomb.limitBytes)}, dd allocates ${bomb.allocate})`;
  const eventsFile = first(r, 'events-file') ?? 'the container\'s memory cgroup';
  const src = `${source}, ${eventsFile}`;
  if (intOf(r, 'start-exit') !== 0) {
    return error({ expected, actual: 'not started', source }, `The memory bomb container did not start: ${excerpt(r, 'start-out') || 'no output'}.`);
  }
  const status = first(r, 'task-status');
  if (status !== 'STOPPED') {
    return error({ expected, actual: `task ${status ?? 'not seen'}`, source }, `The memory bomb did not end within the step's wait (task ${status ?? 'not seen'}), so neither an OOM kill nor an escape was observed; it was force-deleted.`);
  }
  const code = taskExitCode(r);
  const kills = oomKills(r);
  const limit = first(r, 'limit') ?? 'unread';
  if (code === undefined) {
    return error({ expected, actual: `exit code unknown, oom_kill ${kills ?? 'unread'}`, source: src }, `ctr could not report the bomb's exit code: ${excerpt(r, 'delete-out') || 'no output'}.`);
  }
  if (kills === undefined) {
    return error({ expected, actual: `exit ${code}, oom_kill unread`, source: src }, `${eventsFile} could not be read before the task was deleted, so an OOM kill cannot be proven (exit ${code}).`);
  }
  const actual = `exit ${code}, oom_kill ${kills}, limit ${limit}`;
  if (code === 137 && kills >= 1) return pass({ expected, actual, source: src });
  if (code === 137) {
    return error({ expected, actual, source: src }, 'The bomb was SIGKILLed but its cgroup counted no OOM kill: something else killed it, so the memory limit is unproven.');
  }
  return fail({ expected, actual, source: src },
    `A container limited to ${mib(bomb.limitBytes)} allocated ${bomb.allocate} and ${code === 0 ? 'finished normally' : `exited ${code}`} with no OOM kill (cgroup limit ${limit}): memory limits are not enforced on this node.`);
}

/** The limits container's own files, per cgroup version, and the values 128Mi / 200m must give in each. */
const limitFiles = {
  v2: [['memory.max', String(limits.memoryBytes)], ['cpu.max', '20000 100000']],
  v1: [['memory.limit_in_bytes', String(limits.memoryBytes)], ['cpu.cfs_quota_us', '20000'], ['cpu.cfs_period_us', '100000']],
} as const;

export function evaluateLimits(r: Record_, source: string): Verdict {
  const cg = first(r, 'cgroup');
  if (cg !== 'v1' && cg !== 'v2') {
    const expected = `memory.max ${limits.memoryBytes}, cpu.max "20000 100000" (limits ${mib(limits.memoryBytes)} / 200m)`;
    return error({ expected, actual: 'not observed', source }, 'The limits step printed no cgroup version: it did not run.');
  }
  // cgroup v1 holds the same limits in other files: memory.limit_in_bytes, and the CFS quota over its period.
  const files = limitFiles[cg];
  const expected = `${files.map(([f, want]) => `${f} ${f === 'cpu.max' ? `"${want}"` : want}`).join(', ')} (limits ${mib(limits.memoryBytes)} / 200m, cgroup ${cg})`;
  const read = files.map(([f, want]) => ({ f, want, got: first(r, `in-${f}`)?.trim() ?? '' }));
  const show = (x: { f: string; got: string }): string => `${x.f} ${x.got === '' ? 'unread' : x.f === 'cpu.max' ? `"${x.got}"` : x.got}`;
  const actual = read.map(show).join(', ');
  const dirs = all(r, 'in-cgroup-dir');
  const src = dirs.length > 0 ? `${source}, ${[...new Set(dirs)].join(' and ')} inside the container` : source;
  // A value that is not a number (or "max"/"N N") is cat's error, printed in its place.
  const unread = read.filter((x) => !/^(max|-?\d+)( \d+)?$/.test(x.got));
  if (intOf(r, 'run-exit') !== 0 || unread.length > 0) {
    return error({ expected, actual, source: src },
      `The limits container did not report ${unread.map((x) => x.f).join(', ') || 'its files'} (ctr run exit ${first(r, 'run-exit') ?? 'unknown'}): ${unread.map((x) => x.got).filter(Boolean).join('; ') || excerpt(r, 'in-out') || 'no output'}.`);
  }
  const wrong = read.filter((x) => x.got !== x.want).map((x) => (x.f === 'cpu.max' ? `cpu.max is "${x.got}", not "${x.want}"` : `${x.f} is ${x.got}, not ${x.want}`));
  if (wrong.length === 0) return pass({ expected, actual, source: src });
  return fail({ expected, actual, source: src }, `Inside a container limited to ${mib(limits.memoryBytes)} / 200m, ${wrong.join(' and ')}: the limits do not reach the container's cgroup.`);
}

/** What a container's HTTP probe saw: answered (status line and our own document), or why not. */
function httpOutcome(r: Record_, who: 'control' | 'profiled'): { answered: boolean; words: string } {
  const status = first(r, `${who}-http-status`)?.trim() ?? '';
  const ours = all(r, `${who}-http-body`).includes('ours');
  if (/^HTTP\/1\.[01] 200\b/.test(status) && ours) return { answered: true, words: `HTTP answered (${status})` };
  const errs = [...all(r, `${who}-httpd-err`), ...all(r, `${who}-nc-err`)].map((l) => l.trim()).filter(Boolean);
  const got = status === '' ? 'no answer' : ours ? status : `${status} without the document`;
  return { answered: false, words: `HTTP ${got}${errs.length ? `: ${errs.join(' | ')}` : ''}` };
}

/** The syscall busybox names in "httpd: bind: Operation not permitted" (its perror prefix is the call that failed). */
const failedCall = (r: Record_): string | undefined =>
  all(r, 'profiled-httpd-err').map((l) => /^httpd: ([a-z_0-9]+): /.exec(l.trim())?.[1]).find((x) => x !== undefined);

export function evaluateSeccomp(r: Record_, profileText: string | undefined, profilePath: string, source: string): Verdict {
  const expected = `a container under ${profilePath} starts and answers HTTP, and unshare fails with the profile's errno`;
  if (first(r, 'profile') === 'missing' || profileText === undefined) {
    return fail({ expected, actual: 'profile missing', source: profilePath }, `${profilePath} is not on the node, so no workload can run under it (SEC-4.2.1).`);
  }
  const want = unshareExpectation(profileText);
  if (want.kind === 'unreadable') return error({ expected, actual: 'profile unreadable', source: profilePath }, `Cannot tell what the profile answers unshare with: ${want.reason}.`);
  if (want.kind === 'allowed') {
    return error({ expected, actual: `unshare allowed (${want.from})`, source: profilePath }, `The profile allows unshare (${want.from}), so it offers no denied syscall this check can try.`);
  }
  const wantText = want.kind === 'errno' ? errnoMessage(want.errno) : undefined;
  if (want.kind === 'errno' && wantText === undefined) {
    return error({ expected, actual: `errno ${want.errno}`, source: profilePath }, `The profile answers unshare with errno ${want.errno}, which nodegate cannot name to compare with the message.`);
  }
  const wantWords = want.kind === 'errno' ? `errno ${want.errno} "${wantText}" (${want.from})` : `SIGSYS (${want.from})`;
  const expectedNow = `a container under ${profilePath} starts and answers HTTP (busybox httpd, fetched with nc over the container's loopback), and unshare fails with ${wantWords}`;
  // The controls: without the profile the workload must answer and unshare must succeed, else a failure under it
  // proves nothing about seccomp.
  const controlHttp = httpOutcome(r, 'control');
  if (!controlHttp.answered) {
    return error({ expected: expectedNow, actual: 'control failed', source },
      `The workload does not answer even without the profile (${controlHttp.words}; ctr run exit ${first(r, 'control-run-exit') ?? 'none'}${excerpt(r, 'control-out') ? `: ${excerpt(r, 'control-out')}` : ''}), so a failure under it could not be attributed to seccomp.`);
  }
  if (intOf(r, 'control-unshare-exit') !== 0) {
    return error({ expected: expectedNow, actual: 'control failed', source },
      `unshare fails even without the profile (exit ${first(r, 'control-unshare-exit') ?? 'none'}, ctr run exit ${first(r, 'control-run-exit') ?? 'none'}: ${excerpt(r, 'control-out') || excerpt(r, 'control-unshare-err') || 'no output'}), so a denial under it could not be attributed to seccomp.`);
  }
  if (all(r, 'profiled-started').length === 0) {
    return fail({ expected: expectedNow, actual: 'did not start', source },
      `A container under the profile did not start (ctr run exit ${first(r, 'profiled-run-exit') ?? 'none'}): ${excerpt(r, 'profiled-out') || 'no output'}.`);
  }
  const mode = first(r, 'profiled-seccomp-mode')?.trim();
  const http = httpOutcome(r, 'profiled');
  const unshareExit = intOf(r, 'profiled-unshare-exit');
  const err = all(r, 'profiled-unshare-err').join(' ').trim();
  const actual = `started; Seccomp: ${mode ?? 'unread'}; ${http.words}; unshare exit ${unshareExit ?? 'none'}${err ? `: ${err}` : ''}`;
  if (mode !== '2') {
    return fail({ expected: expectedNow, actual, source }, `The container runs with Seccomp: ${mode ?? 'unread'} in /proc/self/status, not 2 (filter): the profile was not applied.`);
  }
  if (!http.answered) {
    // Name the call: the one httpd reported failing, when the profile denies it; else every call the server and
    // client make that the profile denies.
    const denied = deniedHttpSyscalls(profileText);
    const call = failedCall(r);
    const named = call !== undefined ? denied.find((d) => d.startsWith(`${call} `)) : undefined;
    const why = named !== undefined ? `the profile denies ${named}, which httpd needs`
      : denied.length > 0 ? `the profile denies ${denied.join(', ')} of the calls busybox httpd and nc make`
      : 'the profile allows every call busybox httpd and nc were seen making, so something else stopped it';
    return fail({ expected: expectedNow, actual, source }, `The workload started under the profile but did not answer HTTP (${http.words}): ${why}.`);
  }
  if (unshareExit === undefined) return error({ expected: expectedNow, actual, source }, 'The container started but did not report unshare\'s result.');
  if (unshareExit === 0) return fail({ expected: expectedNow, actual, source }, `unshare succeeded under the profile, which ${want.from} should deny: the profile on disk is not the one enforced.`);
  if (want.kind === 'signal') {
    // A shell reports death by SIGSYS (31) as 128 + 31.
    return unshareExit === 159 ? pass({ expected: expectedNow, actual, source })
      : fail({ expected: expectedNow, actual, source }, `unshare exited ${unshareExit}, not killed by SIGSYS as ${want.from} says.`);
  }
  if (err.endsWith(wantText ?? '')) return pass({ expected: expectedNow, actual, source });
  return fail({ expected: expectedNow, actual, source }, `unshare failed, but with "${err || 'no message'}" rather than the profile's "${wantText}": something other than the profile denied it.`);
}
