// SEC-4.3.1/4.3.2 (the guide's restricted nginx-test pod runs, and its confinement is real: read from its own
// /proc/self/status), SEC-4.2.5 (a workload under localhost/<profile> runs and a denied syscall fails with the
// profile's errno) and SEC-4.3.4/4.3.5 (admission refuses hostPath and privileged pods: server-side dry-run).
import { dryRunCreatePod } from '../../cluster/live/dry-run.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';
import { tail, withDiagnosis, type LiveContext } from './context.ts';
import type { SeccompDenial } from './inputs.ts';
import { observePod, rcOf, type PodRun } from './observe-pod.ts';
import { forbiddenPod, markers, seccompPod } from './pods.ts';

export type SecurityCheckId = 'SEC-4.2.5' | 'SEC-4.3.1' | 'SEC-4.3.2' | 'SEC-4.3.4' | 'SEC-4.3.5';

/** NET_BIND_SERVICE is capability 10 (include/uapi/linux/capability.h): the only bit CapEff may hold. */
const netBindService = 1n << 10n;

/** SEC-4.3.1 and 4.3.2 from the server pod (the guide's nginx-test), which the network checks run. */
export function restrictedPodVerdicts(ctx: LiveContext, web: PodRun): Record<'SEC-4.3.1' | 'SEC-4.3.2', Verdict> {
  const src = `pod ${ctx.run.namespace}/web (${ctx.images.web}, the guide's nginx-test securityContext)`;
  const e1 = { expected: 'Ready on this node', source: src };
  const e2 = { expected: 'Uid 101, NoNewPrivs 1, Seccomp 2, CapEff ⊆ NET_BIND_SERVICE', source: `${src}: /proc/self/status` };
  if (!web.ok) {
    // An image that cannot be pulled says nothing about the node's confinement: an error, with the override named.
    const pull = /ImagePull|ErrImage/.test(web.message + web.diagnosis);
    const v1 = pull
      ? error({ ...e1, actual: 'not Ready' }, withDiagnosis(`${web.message} — the image could not be pulled; mirror it and set cluster.images.web`, web.diagnosis))
      : fail({ ...e1, actual: 'not Ready' }, withDiagnosis(web.message, web.diagnosis));
    return { 'SEC-4.3.1': v1, 'SEC-4.3.2': error({ ...e2, actual: 'not observed' }, 'The restricted pod did not run (SEC-4.3.1), so its confinement could not be read.') };
  }
  const ready = pass({ ...e1, actual: 'Ready' });
  if (web.log === undefined) return { 'SEC-4.3.1': ready, 'SEC-4.3.2': error({ ...e2, actual: 'not observed' }, `The pod's log could not be read: ${web.logError?.message ?? 'unknown'}`) };
  const m = markers(web.log);
  const uid = m.get('status Uid')?.split(/\s+/);
  const nnp = m.get('status NoNewPrivs');
  const seccomp = m.get('status Seccomp');
  const capText = m.get('status CapEff');
  if (!uid || nnp === undefined || seccomp === undefined || capText === undefined || !/^[0-9a-f]+$/i.test(capText)) {
    return { 'SEC-4.3.1': ready, 'SEC-4.3.2': error({ ...e2, actual: 'not reported' }, `The pod did not print its /proc/self/status lines: ${tail(web.log)}`) };
  }
  const cap = BigInt(`0x${capText}`);
  const actual = `Uid ${uid.join(' ')}, NoNewPrivs ${nnp}, Seccomp ${seccomp}, CapEff ${capText}`;
  const problems: string[] = [];
  if (uid.some((u) => u !== '101')) problems.push(`runs as uid ${uid.join('/')}, not 101`);
  if (nnp !== '1') problems.push('no_new_privs is not set (allowPrivilegeEscalation: false not applied)');
  if (seccomp !== '2') problems.push(`seccomp mode ${seccomp}, not 2 (filter): RuntimeDefault was not applied`);
  if ((cap & ~netBindService) !== 0n) problems.push(`effective capabilities 0x${capText} exceed NET_BIND_SERVICE (0x400)`);
  return { 'SEC-4.3.1': ready, 'SEC-4.3.2': problems.length ? fail({ ...e2, actual }, `The pod's confinement is not what its securityContext asks: ${problems.join('; ')}.`) : pass({ ...e2, actual }) };
}

/** What SEC-4.2.5 expects of unshare(2), with where the expectation was read. */
function denialWords(d: SeccompDenial): string {
  if (d.kind === 'errno') return `unshare(2) fails with "${d.text}" (errno ${d.errno}, from ${d.from})`;
  if (d.kind === 'signal') return `unshare(2) is killed by SIGSYS, exit 159 (${d.action}, from ${d.from})`;
  return `unshare(2) is denied as the profile says (${d.reason})`;
}

/** SEC-4.2.5 */
export async function seccompCheck(ctx: LiveContext): Promise<Verdict> {
  const d = ctx.seccomp;
  const e = { expected: `starts under localhost/${ctx.seccompProfile} and answers HTTP; ${denialWords(d)}`, source: `pod ${ctx.run.namespace}/seccomp: httpd + nc, unshare -U true (control: the same pod under RuntimeDefault)` };
  // The control runs beside it: the same image and script without the profile must answer, or a workload that
  // does not run under the profile proves nothing about the profile.
  const [control, r] = await Promise.all([
    observePod(ctx.run, seccompPod('seccomp-control', ctx.images.shell, undefined), { timeoutMs: ctx.timeouts.podMs }),
    observePod(ctx.run, seccompPod('seccomp', ctx.images.shell, ctx.seccompProfile), { timeoutMs: ctx.timeouts.podMs }),
  ]);
  const controlHttp = control.ok && control.log !== undefined ? rcOf(markers(control.log).get('http')) : undefined;
  if (controlHttp !== 0) {
    const pulled = !control.ok && /ImagePull|ErrImage/.test(control.message + control.diagnosis) ? ' — the image could not be pulled; mirror it and set cluster.images.shell' : '';
    const why = !control.ok ? withDiagnosis(`${control.message}${pulled}`, control.diagnosis) : control.log === undefined ? `its log could not be read: ${control.logError?.message ?? 'unknown'}` : tail(control.log);
    return error({ ...e, actual: 'control did not answer' }, `The control pod (same image and script, RuntimeDefault) did not serve and fetch HTTP, so the profile's effect cannot be told apart: ${why}`);
  }
  if (!r.ok) {
    const pull = /ImagePull|ErrImage/.test(r.message + r.diagnosis);
    if (pull) return error({ ...e, actual: 'not started' }, withDiagnosis(`${r.message} — the image could not be pulled; mirror it and set cluster.images.shell`, r.diagnosis));
    return fail({ ...e, actual: 'not started' }, withDiagnosis(`A workload under localhost/${ctx.seccompProfile} did not run (a missing or invalid profile stops the container from being created): ${r.message}`, r.diagnosis));
  }
  if (r.log === undefined) return error({ ...e, actual: 'not observed' }, `The pod's log could not be read: ${r.logError?.message ?? 'unknown'}`);
  const m = markers(r.log);
  const http = rcOf(m.get('http'));
  const unshare = rcOf(m.get('unshare'));
  // The control ran the same script to the end, so a profiled pod without its result lines never ran it: the
  // runtime could not start the workload under the profile (runc 1.1 prints "ensure /proc/self/fd is on procfs:
  // operation not permitted" when the profile denies fstatfs, which it calls after loading the filter).
  if (http === undefined || unshare === undefined) return fail({ ...e, actual: 'did not run its command' }, `The workload did not run under the profile, while the control without it did: the profile denies a call the runtime or the shell needs before the command starts. Output: ${tail(r.log)}`);
  const denied = d.kind === 'errno' ? r.log.includes(d.text) : d.kind === 'signal' ? unshare === 159 : false;
  const how = d.kind === 'errno' ? `failed: ${d.text}` : 'killed by SIGSYS (exit 159)';
  const actual = `HTTP ${http === 0 ? 'answered' : `failed (exit ${http})`}; unshare ${unshare === 0 ? 'succeeded' : denied ? how : `failed (exit ${unshare})`}`;
  if (http !== 0) return fail({ ...e, actual }, `The workload started under the profile but did not answer HTTP: the profile denies a syscall it needs. Output: ${tail(r.log)}`);
  if (d.kind === 'unknown') return error({ ...e, actual }, `The workload runs under the profile, but what the denial should look like is unknown: ${d.reason}.`);
  if (unshare === 0) return fail({ ...e, actual }, `unshare(2) succeeded under the profile, which ${d.from} says denies it: the profile is not the one enforced (or is not applied).`);
  if (!denied) {
    const want = d.kind === 'errno' ? `the profile's errno ("${d.text}", ${d.from})` : `SIGSYS (${d.from})`;
    return fail({ ...e, actual }, `unshare(2) failed, but not with ${want}: something else refused it. Output: ${tail(r.log)}`);
  }
  return pass({ ...e, actual }, `the denial matches ${d.from}`);
}

/** SEC-4.3.4 (hostPath) and SEC-4.3.5 (privileged): a dry-run create in every workload namespace must be refused. */
export async function admissionCheck(ctx: LiveContext, kind: 'hostpath' | 'privileged'): Promise<Verdict> {
  const what = kind === 'hostpath' ? 'a hostPath pod' : 'a privileged pod';
  const e = { expected: `${what} is Forbidden by admission in ${ctx.workloadNamespaces.join(', ')}`, source: 'server-side dry-run create (dryRun=All)' };
  if (ctx.workloadNamespaces.length === 0) return error({ ...e, actual: 'no namespace' }, 'The profile lists no workload namespaces to try.');
  const outcomes = await Promise.all(ctx.workloadNamespaces.map(async (ns) => ({ ns, o: await dryRunCreatePod(ctx.run.kc, ns, forbiddenPod(kind, ctx.images.shell)) })));
  const actual = outcomes.map(({ ns, o }) => `${ns}: ${o.kind}`).join(', ');
  const admitted = outcomes.filter(({ o }) => o.kind === 'admitted').map(({ ns }) => ns);
  const failed = outcomes.flatMap(({ ns, o }) => (o.kind === 'failed' ? [`${ns}: ${o.message}`] : []));
  if (admitted.length) return fail({ ...e, actual }, `Admission let ${what} into ${admitted.join(', ')}: enforce Pod Security baseline or restricted there (SEC-4.3.3).`);
  if (failed.length) return error({ ...e, actual }, `Admission could not be observed: ${failed.join('; ')}`);
  return pass({ ...e, actual });
}
