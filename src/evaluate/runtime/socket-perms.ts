// RT-2.3.1 and RT-2.3.2: whoever can open containerd's socket owns the node, so its mode and owner are checked
// against the profile ("this mode or stricter", exact uid/gid).
import type { FileFact, NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { bitsBeyond, formatMode, parseMode } from '../../parse/mode.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';

type Present = Extract<FileFact, { state: 'present' }>;

/** The socket's stat, or the verdict that replaces a judgement when there is none. */
function socketStat(facts: NodeFacts, path: string, expected: string, missingIsFail: boolean): { ok: true; stat: Present } | { ok: false; verdict: Verdict } {
  const e = { expected, source: `stat ${path}` };
  const fact = facts.files[path];
  if (!fact) return { ok: false, verdict: error({ ...e, actual: 'unknown' }, `the probe did not stat ${path}`) };
  if (fact.state === 'unreadable') return { ok: false, verdict: error({ ...e, actual: 'unknown' }, `${path} could not be examined: ${fact.error}`) };
  if (fact.state === 'missing') {
    const message = `${path} does not exist: containerd is not running or listens elsewhere`;
    return { ok: false, verdict: missingIsFail ? fail({ ...e, actual: 'missing' }, message) : error({ ...e, actual: 'missing' }, `${message}; ownership cannot be observed (see RT-2.3.1)`) };
  }
  if (fact.type !== 'socket') {
    return { ok: false, verdict: fail({ ...e, actual: `a ${fact.type}, mode ${formatMode(fact.mode)}` }, `${path} is a ${fact.type}, not a socket: containerd cannot listen there (remove it and restart containerd)`) };
  }
  return { ok: true, stat: fact };
}

export function evaluateSocketMode(facts: NodeFacts, profile: Profile): Verdict {
  const { path, mode } = profile.containerd.socket;
  const allowed = parseMode(mode);
  const expected = `a socket with mode ${formatMode(allowed)} or stricter`;
  const s = socketStat(facts, path, expected, true);
  if (!s.ok) return s.verdict;
  const actual = `socket, mode ${formatMode(s.stat.mode)}`;
  const extra = bitsBeyond(s.stat.mode, allowed);
  if (extra === 0) return pass({ expected, actual, source: `stat ${path}` });
  return fail(
    { expected, actual, source: `stat ${path}` },
    `${path} has mode ${formatMode(s.stat.mode)}, which grants ${formatMode(extra)} beyond ${formatMode(allowed)}: \`chmod ${formatMode(allowed)} ${path}\` (containerd recreates the socket at start, so keep its [grpc] settings right too).`,
  );
}

export function evaluateSocketOwner(facts: NodeFacts, profile: Profile): Verdict {
  const { path, uid, gid } = profile.containerd.socket;
  const expected = `owned by uid ${uid}, gid ${gid}`;
  const s = socketStat(facts, path, expected, false);
  if (!s.ok) return s.verdict;
  const actual = `uid ${s.stat.uid}, gid ${s.stat.gid}`;
  if (s.stat.uid === uid && s.stat.gid === gid) return pass({ expected, actual, source: `stat ${path}` });
  const wrong = [s.stat.uid !== uid ? `uid ${s.stat.uid} (expected ${uid})` : '', s.stat.gid !== gid ? `gid ${s.stat.gid} (expected ${gid})` : ''].filter(Boolean).join(' and ');
  return fail(
    { expected, actual, source: `stat ${path}` },
    `${path} is owned by ${wrong}: \`chown ${uid}:${gid} ${path}\`, and persist it with uid = ${uid} / gid = ${gid} under [grpc] in the containerd config.`,
  );
}
