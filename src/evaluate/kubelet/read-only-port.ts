// KUBELET-3.5.1: nothing answers on the legacy read-only port, seen from the node (listening sockets) and from
// the runner (an HTTP GET of /healthz; a TCP connect in older snapshots); settings can say 0 while a stale
// process or another program still listens.
import type { NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { kubeletCmd, kubeletPaths } from '../../kubelet/paths.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { commandFact } from '../runtime/evidence.ts';
import { runnerFacts } from './evidence.ts';
import { describeHttpProbe, type HttpProbe } from '../../facts/runner-probe.ts';
import { readOnlyPortAnswer, readOnlyPortWords, type ReadOnlyPortAnswer } from '../live/kubelet-api.ts';

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

/** The runner's half in one shape: the HTTP GET when recorded, else the TCP connect older snapshots carry. */
type RunnerView =
  | { readonly kind: 'http'; readonly probe: HttpProbe; readonly answer: ReadOnlyPortAnswer }
  | { readonly kind: 'tcp'; readonly state: 'open' | 'refused' | 'timeout' }
  | { readonly kind: 'not-run' };

function runnerView(facts: NodeFacts, port: number): RunnerView {
  const runner = runnerFacts(facts);
  const probe = runner?.http?.[port];
  if (probe) return { kind: 'http', probe, answer: readOnlyPortAnswer(probe) };
  const state = runner?.tcp?.[port];
  return state ? { kind: 'tcp', state } : { kind: 'not-run' };
}

export function evaluateReadOnlyListener(facts: NodeFacts, profile: Profile): Verdict {
  const port = profile.kubelet.legacyReadOnlyPort;
  const view = runnerView(facts, port);
  const expected =
    view.kind === 'tcp'
      ? `no listener on :${port} on the node, and a TCP connect from the runner refused or timing out`
      : `no listener on :${port} on the node, and no kubelet answering GET /healthz from the runner (refused or timing out)`;
  const runnerSource = view.kind === 'tcp' ? `runner TCP connect to :${port}` : `runner GET http://NODE:${port}/healthz`;
  const l = listeners(facts);
  if (!l.ok) return error({ expected, actual: 'unknown', source: `ss -Htlnp; ${runnerSource}` }, l.why);
  const source = `${l.source}; ${runnerSource}`;
  const hits = l.list.filter((x) => x.port === port);
  const node = hits.length ? `listening: ${hits.map((h) => `${h.local}${h.process ? ` ${h.process}` : ''}`).join(', ')}` : `no listener on :${port}`;
  const runnerActual = view.kind === 'http' ? `runner GET /healthz: ${describeHttpProbe(view.probe)}` : `runner connect: ${view.kind === 'tcp' ? view.state : 'not run'}`;
  const e = { expected, actual: `${node}; ${runnerActual}`, source };
  // Accepted, but not answered the way the kubelet's read-only server answers /healthz.
  const notKubelet = view.kind === 'http' && (view.answer === 'other-http' || view.answer === 'tcp-only');
  const held = hits.map((h) => `${h.local}${h.process ? ` by ${h.process}` : ''}`).join(', ');
  const problems: string[] = [];
  if (hits.length) problems.push(notKubelet ? `the node listens on :${port} (${held}), and what answers there is not the kubelet's read-only API: another program holds the port` : `the node listens on :${port} (${held}): the unauthenticated read-only API is served`);
  if (view.kind === 'tcp' && view.state === 'open') problems.push(`a TCP connect from the runner to the node's port ${port} succeeded`);
  if (view.kind === 'http' && (view.answer === 'kubelet' || (notKubelet && hits.length))) problems.push(readOnlyPortWords(port, view.probe));
  if (problems.length) return fail(e, `${problems.join('; ')}. See KUBELET-3.3.1 for the setting.`);
  if (view.kind === 'not-run') return error(e, `the node has no listener on :${port}, but the runner's probe of port ${port} was not run, so reachability from outside is unproven`);
  if (view.kind === 'http' && view.answer === 'unknown') return error(e, `the node has no listener on :${port}, but the runner could not reach the node to probe it (${describeHttpProbe(view.probe)}), so reachability from outside is unproven`);
  // The kubelet runs in the node's own network namespace, so a kubelet serving the port is always in the node's
  // socket table. With none there, what accepts the runner's connection without answering as a kubelet is a
  // forward in between (a load balancer, NAT, a hypervisor's port forward, a hostPort DNAT to a pod): the
  // read-only API is not served, and the check passes saying so rather than blaming the kubelet.
  if (notKubelet) {
    return pass(e, `${readOnlyPortWords(port, view.probe)}; the node itself has no listener on :${port}, so the kubelet's read-only API is not served there: something between the runner and the node (a port forward, load balancer or NAT) accepts the connection; close it there if it should not exist`);
  }
  return pass(e);
}
