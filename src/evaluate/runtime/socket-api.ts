// RT-2.1.2: containerd answers a version call on the profile's socket, i.e. clients like the kubelet can reach it.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { cmd } from '../../facts/requirements.ts';
import { parseCtrVersion } from '../../parse/version.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { commandFact, oneLine } from './evidence.ts';

/**
 * What a failed dial usually means, to point at the fix. ctr reports a missing socket as a dial timeout
 * (it retries until its deadline), so the socket's own stat decides that case.
 */
function diagnose(stderr: string, socket: string, socketState: string | undefined): string {
  if (socketState === 'missing' || /no such file or directory/i.test(stderr)) {
    return `${socket} does not exist: containerd is not running or listens elsewhere ([grpc] address)`;
  }
  if (/connection refused/i.test(stderr)) return `nothing accepts connections on ${socket} (a stale socket): containerd is not running or listens elsewhere`;
  if (/permission denied/i.test(stderr)) return `the socket refused this user: it needs root or the socket's group`;
  if (/deadline exceeded|timeout/i.test(stderr)) return `${socket} accepted no call in time: containerd is hung or starting`;
  return 'the call failed';
}

export function evaluateSocketApi(facts: NodeFacts, profile: Profile): Verdict {
  const socket = profile.containerd.socket.path;
  const source = `ctr --address ${socket} version`;
  const expected = `a Server version from ${socket}`;
  const r = commandFact(facts, cmd.ctrVersion, source);
  if (!r.ok) {
    if (r.notFound) return error({ expected, actual: 'ctr not found', source }, `${r.why}: cannot call the socket without ctr (it ships with containerd)`);
    if (facts.commands[cmd.ctrVersion]?.state === 'timeout') {
      // ctr keeps redialing a missing socket until its connect timeout, so a timeout often means "not there".
      const cause =
        facts.files[socket]?.state === 'missing'
          ? `${socket} does not exist: containerd is not running or listens elsewhere ([grpc] address)`
          : `${socket} did not answer a version call before the probe's timeout: containerd is hung or the socket is not served`;
      return fail({ expected, actual: 'no answer (timed out)', source }, cause);
    }
    return error({ expected, actual: 'unknown', source }, r.why);
  }
  const { exitCode, stdout, stderr } = r.fact;
  if (exitCode !== 0) {
    const actual = `exit ${exitCode}: ${oneLine(stderr) || '(no stderr)'}`;
    if (/permission denied/i.test(stderr) && facts.probe.uid !== 0) {
      return error(
        { expected, actual, source },
        `the probe ran as uid ${facts.probe.uid} without root, and ${socket} is meant to refuse such users: rerun with sudo to observe it`,
      );
    }
    return fail({ expected, actual, source }, `${diagnose(stderr, socket, facts.files[socket]?.state)} (${oneLine(stderr) || `exit ${exitCode}`})`);
  }
  const server = parseCtrVersion(stdout, 'Server');
  if (!server) {
    return fail({ expected, actual: `no Server section: ${oneLine(stdout) || '(empty output)'}`, source }, `ctr exited 0 but printed no Server version: the daemon on ${socket} did not answer`);
  }
  return pass({ expected, actual: `Server version ${server.raw}`, source });
}
