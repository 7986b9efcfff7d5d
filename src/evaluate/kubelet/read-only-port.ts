// KUBELET-3.5.1: nothing answers on the legacy read-only port, seen from the node (listening sockets) and from
// the runner (a TCP connect); settings can say 0 while a stale process or another program still listens.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { kubeletCmd, kubeletPaths } from '../../kubelet/paths.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { commandFact } from '../runtime/evidence.ts';
import { runnerFacts } from './evidence.ts';

export interface Listener {
  readonly local: string;
  readonly port: number;
  readonly process: string;
}

/** `ss -Htlnp` lines: State Recv-Q Send-Q Local:Port Peer:Port [users:(("name",pid=N,fd=M))]. */
export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    const local = cols[3];
    if (!local) continue;
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    if (!Number.isInteger(port)) continue;
    out.push({ local, port, process: cols.slice(5).join(' ') });
  }
  return out;
}

/** /proc/net/tcp{,6} rows in state 0A (LISTEN): "sl local_address rem_address st ...", ports in hex. */
export function parseProcNetTcp(text: string, v6: boolean): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (!local || cols[3] !== '0A') continue;
    const [addr = '', portHex = ''] = local.split(':');
    const port = Number.parseInt(portHex, 16);
    if (!Number.isInteger(port)) continue;
    out.push({ local: `${v6 ? `[${addr}]` : addr}:${port}`, port, process: '' });
  }
  return out;
}

/** Listening sockets from ss, else from the kernel's tables; a reason when neither was read. */
function listeners(facts: NodeFacts): { ok: true; list: Listener[]; source: string } | { ok: false; why: string } {
  const ss = commandFact(facts, kubeletCmd.listeners, 'ss -Htlnp');
  if (ss.ok && ss.fact.exitCode === 0) return { ok: true, list: parseListeners(ss.fact.stdout), source: 'ss -Htlnp' };
  const t4 = facts.files[kubeletPaths.procNetTcp];
  const t6 = facts.files[kubeletPaths.procNetTcp6];
  if (t4?.state === 'present' && t4.content !== undefined) {
    const v6 = t6?.state === 'present' && t6.content !== undefined ? parseProcNetTcp(t6.content, true) : [];
    return { ok: true, list: [...parseProcNetTcp(t4.content, false), ...v6], source: `${kubeletPaths.procNetTcp}, ${kubeletPaths.procNetTcp6}` };
  }
  const why = ss.ok ? `ss -Htlnp exited with status ${ss.fact.exitCode}: ${ss.fact.stderr.trim()}` : ss.why;
  return { ok: false, why: `${why}; and ${kubeletPaths.procNetTcp} was not read` };
}

export function evaluateReadOnlyListener(facts: NodeFacts, profile: Profile): Verdict {
  const port = profile.kubelet.legacyReadOnlyPort;
  const expected = `no listener on :${port} on the node, and a TCP connect from the runner refused or timing out`;
  const l = listeners(facts);
  if (!l.ok) return error({ expected, actual: 'unknown', source: `ss -Htlnp; runner TCP connect to :${port}` }, l.why);
  const source = `${l.source}; runner TCP connect to :${port}`;
  const hits = l.list.filter((x) => x.port === port);
  const runner = runnerFacts(facts)?.tcp?.[port];
  const node = hits.length ? `listening: ${hits.map((h) => `${h.local}${h.process ? ` ${h.process}` : ''}`).join(', ')}` : `no listener on :${port}`;
  const actual = `${node}; runner connect: ${runner ?? 'not run'}`;
  const problems: string[] = [];
  if (hits.length) problems.push(`the node listens on :${port} (${hits.map((h) => `${h.local}${h.process ? ` by ${h.process}` : ''}`).join(', ')}): the unauthenticated read-only API is served`);
  if (runner === 'open') problems.push(`a TCP connect from the runner to the node's port ${port} succeeded`);
  if (problems.length) return fail({ expected, actual, source }, `${problems.join('; ')}. See KUBELET-3.3.1 for the setting.`);
  if (runner === undefined) return error({ expected, actual, source }, `the node has no listener on :${port}, but the runner's TCP probe of port ${port} was not run, so reachability from outside is unproven`);
  return pass({ expected, actual, source });
}
