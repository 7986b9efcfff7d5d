// `--live` without cluster access: RES-6.2.1, RES-6.2.3 and SEC-4.2.5 proven by containers run through the node's
// own containerd (image imported offline, real runc, real cgroups), in a containerd namespace of this run that is
// removed afterwards (finally, SIGINT/SIGTERM, and the next run's sweep). The cluster-only live rows are skips.
import { readFile, stat } from 'node:fs/promises';
import { liveChecks } from '../catalog/live.ts';
import { CleanupRegistry, type SignalSource } from '../cluster/live/cleanup.ts';
import { UsageError } from '../errors.ts';
import { error, skip, type Verdict } from '../evaluate/verdict.ts';
import { privilegedShell, sudoFailure, type ExecResult, type Target } from '../target/index.ts';
import { expiredNamespaces, liveNamespace, newLiveRunId } from './names.ts';
import { first, intOf, parseRecord, type Record_ } from './records.ts';
import { bombScript, cleanupScript, importScript, limitsScript, readProfileScript, seccompScript, sweepScript, type StepContext } from './scripts.ts';
import { evaluateBomb, evaluateLimits, evaluateSeccomp } from './verdicts.ts';

export interface NodeLiveOptions {
  /** `--live-image FILE`: an OCI image-layout or docker-archive tarball with a busybox (sh, dd, unshare). */
  readonly imageFile: string;
  /** containerd's socket on the node (the profile's containerd.socket.path). */
  readonly address?: string;
  /** The ctr binary on the node. */
  readonly ctr?: string;
  /** The custom seccomp profile on the node, absolute (the profile's seccomp root + first profile). */
  readonly seccompProfile?: string;
  /**
   * The IDs the run reports (--only/--skip); all three when absent. A step not selected does not run (its container
   * is never created) and its verdict is a skip saying so; with none selected nothing reaches the node.
   */
  readonly selected?: ReadonlySet<NodeLiveId>;
  readonly runId?: string;
  readonly now?: () => Date;
  /** Namespaces of earlier runs older than this are swept at start (younger ones may be running). */
  readonly sweepAfterMs?: number;
  /** Bound on each step's round trip; each ctr call on the node is bounded a little below it. */
  readonly stepTimeoutMs?: number;
  /** Signals that trigger cleanup; process by default (tests pass an emitter). */
  readonly signals?: SignalSource;
  readonly exit?: (code: number) => void;
  /** Progress and cleanup problems; stderr by default. */
  readonly log?: (message: string) => void;
  /** Each step's raw output as it arrives (for a debug log, and how fixtures/live/records were recorded). */
  readonly onStep?: (step: string, stdout: string) => void;
  /** Called once cleanup has run: what was removed and what was left. */
  readonly onCleanup?: (report: LiveNodeCleanup) => void;
}

export interface LiveNodeCleanup {
  readonly namespace: string;
  /** Whether the run's namespace is gone afterwards (also when the run stopped before creating it). */
  readonly removed: boolean;
  /** Namespaces of expired earlier runs that the sweep removed. */
  readonly swept: readonly string[];
  readonly problems: readonly string[];
}

/** The IDs this module answers; every other live row needs the Kubernetes API. */
export const nodeLiveIds = ['RES-6.2.1', 'RES-6.2.3', 'SEC-4.2.5'] as const;
export type NodeLiveId = (typeof nodeLiveIds)[number];


/** The verdict of a node-local row the run did not select, worded as the cluster harness words its own. */
export const notSelectedMessage = 'not selected (--only/--skip): not run';

/** Largest image accepted: it travels base64 inside one script, held in memory on both ends. */
export const maxImageBytes = 64 * 1024 * 1024;

class StepFailed extends Error {
  override readonly name = 'StepFailed';
}

export async function runNodeLiveChecks(target: Target, options: NodeLiveOptions): Promise<Record<string, Verdict>> {
  const image = await readImage(options.imageFile);
  const now = options.now ?? (() => new Date());
  const runId = options.runId ?? newLiveRunId(now());
  const stepTimeoutMs = options.stepTimeoutMs ?? 60_000;
  const ctx: StepContext = {
    ctr: options.ctr ?? 'ctr',
    address: options.address ?? '/run/containerd/containerd.sock',
    namespace: liveNamespace(runId),
    runId,
    ctrTimeoutSeconds: Math.max(1, Math.floor(stepTimeoutMs / 1000) - 5),
  };
  const profilePath = options.seccompProfile ?? '/var/lib/kubelet/seccomp/profiles/web-app.json';
  const log = options.log ?? ((m: string) => process.stderr.write(`nodegate: ${m}\n`));
  const source = `ctr run on ${target.label} (containerd ${ctx.address}, namespace ${ctx.namespace})`;
  const selected = options.selected ?? new Set(nodeLiveIds);
  const verdicts: Record<string, Verdict> = {};
  for (const c of liveChecks) {
    if (isNodeLiveId(c.id) && !selected.has(c.id)) verdicts[c.id] = skip({ expected: c.title, actual: 'not run', source: `not selected, so nothing ran on ${target.label}` }, notSelectedMessage);
  }
  // Nothing selected: no sweep, no import, no namespace; the rows are the skips above (and the cluster-only ones).
  if (selected.size === 0) {
    options.onCleanup?.({ namespace: ctx.namespace, removed: true, swept: [], problems: [] });
    return withClusterSkips(verdicts);
  }

  const run = async (what: string, script: string, timeoutMs = stepTimeoutMs): Promise<Record_> => {
    if (registry.signal.aborted && what !== 'cleanup') throw new StepFailed(`${what}: the run was interrupted`);
    let result: ExecResult;
    try {
      // Tracked: an interrupt's cleanup waits for the step in flight (bounded by its timeout), so a namespace or
      // container being created as the signal arrives is removed after it exists, not before.
      result = await registry.track(target.exec(privilegedShell, { stdin: script, timeoutMs }));
    } catch (err) {
      throw new StepFailed(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const sudo = sudoFailure(result, target.label);
    if (sudo) throw new StepFailed(`${what}: ${sudo.message}`);
    if (result.exitCode !== 0) throw new StepFailed(`${what}: the script exited ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}`);
    options.onStep?.(what, result.stdout);
    return parseRecord(result.stdout);
  };

  const problems: string[] = [];
  let removed = false;
  /** Set as the import starts: before it the run has created nothing, and a containerd that did not answer the sweep
   * would only make cleanup's every ctr call wait out its bound. */
  let created = false;
  const registry = new CleanupRegistry();
  registry.add(`containerd namespace ${ctx.namespace}`, async () => {
    if (!created) {
      removed = true;
      return;
    }
    const r = await run('cleanup', cleanupScript(ctx), stepTimeoutMs * 2).catch((err: unknown) => {
      problems.push(err instanceof Error ? err.message : String(err));
      return undefined;
    });
    removed = r !== undefined && first(r, 'namespace') === 'gone';
    if (r && !removed) problems.push(`namespace ${ctx.namespace} is still there: ${(r.get('namespace-rm-out') ?? []).join(' ')}`);
    for (const d of r?.get('cgroup-left') ?? []) problems.push(`cgroup ${d} is still there`);
  });
  registry.installSignalHandlers(options.signals ?? process, options.exit ?? ((code) => process.exit(code)), { onInterrupt: log, timeoutMs: stepTimeoutMs * 2 });

  const swept: string[] = [];
  const allError = (message: string): void => {
    for (const id of nodeLiveIds) verdicts[id] ??= error({ expected: 'observed on the node', actual: 'not observed', source }, message);
  };
  try {
    swept.push(...(await sweep(ctx, now(), options.sweepAfterMs ?? 15 * 60_000, run, log)));
    created = true;
    const imported = await run('image import', importScript(ctx, image.toString('base64')), stepTimeoutMs);
    const ref = first(imported, 'image');
    if (intOf(imported, 'decode-exit') !== 0 || intOf(imported, 'import-exit') !== 0 || ref === undefined || ref.startsWith('ctr: ')) {
      throw new StepFailed(`Importing ${options.imageFile} into containerd failed (base64 exit ${first(imported, 'decode-exit') ?? 'none'}, ctr images import exit ${first(imported, 'import-exit') ?? 'none'}): ${(imported.get('import-out') ?? []).join(' ').slice(0, 300) || 'no output'}`);
    }
    // Each step on its own: one that cannot run is that check's error, not the others'.
    const step = async (id: NodeLiveId, body: () => Promise<Verdict>): Promise<void> => {
      if (!selected.has(id)) return; // its skip is already set: its container is not run
      try {
        if (registry.signal.aborted) throw new StepFailed(`${id}: the run was interrupted before it ran`);
        verdicts[id] = await body();
      } catch (err) {
        if (!(err instanceof StepFailed)) throw err;
        verdicts[id] = error({ expected: 'observed on the node', actual: 'not observed', source }, `${err.message}.`);
      }
    };
    await step('RES-6.2.1', async () => evaluateBomb(await run('memory bomb', bombScript(ctx, ref, Math.max(5, stepTimeoutMs / 1000 - 15))), source));
    await step('RES-6.2.3', async () => evaluateLimits(await run('limits', limitsScript(ctx, ref)), source));
    await step('SEC-4.2.5', async () => {
      const profile = await target.exec(privilegedShell, { stdin: readProfileScript(profilePath), timeoutMs: stepTimeoutMs }).catch(() => undefined);
      const text = profile?.exitCode === 0 ? profile.stdout : undefined;
      return evaluateSeccomp(await run('seccomp', seccompScript(ctx, ref, profilePath)), text, profilePath, source);
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
    allError(`${err.message}.`);
  } finally {
    await registry.runAll();
    const report: LiveNodeCleanup = { namespace: ctx.namespace, removed, swept, problems };
    for (const p of problems) log(`live cleanup: ${p}`);
    options.onCleanup?.(report);
  }
  return withClusterSkips(verdicts);
}

const isNodeLiveId = (id: string): id is NodeLiveId => (nodeLiveIds as readonly string[]).includes(id);

/**
 * `verdicts` with every other live row added as a skip saying why: each needs the cluster (pods, Services,
 * NetworkPolicy, the Node object, or — KUBELET-3.5.2/3.5.3 — the Node's kubelet endpoint and a ServiceAccount token).
 * Derived from the catalog, so a row added there is never left without a verdict (an error in the run).
 */
function withClusterSkips(verdicts: Record<string, Verdict>): Record<string, Verdict> {
  for (const c of liveChecks) {
    if (!isNodeLiveId(c.id)) {
      verdicts[c.id] = skip({ expected: c.title, actual: 'not run', source: 'the Kubernetes API' },
        'Needs the Kubernetes API (pods, Services, NetworkPolicy, the Node object or a ServiceAccount token); without cluster access --live runs only RES-6.2.1, RES-6.2.3 and SEC-4.2.5 on the node itself.');
    }
  }
  return verdicts;
}

async function readImage(file: string): Promise<Buffer> {
  const hint = 'give --live-image an OCI image-layout or docker-archive tarball of a busybox image (fixtures/live/busybox-image.sh builds one)';
  const info = await stat(file).catch((err: unknown) => {
    throw new UsageError(`--live-image ${file}: ${err instanceof Error ? err.message : String(err)}`, hint);
  });
  if (!info.isFile()) throw new UsageError(`--live-image ${file}: not a file`, hint);
  if (info.size > maxImageBytes) throw new UsageError(`--live-image ${file}: ${info.size} bytes, more than the ${maxImageBytes} nodegate sends to a node`, hint);
  return readFile(file);
}

/**
 * Removes the namespaces (and everything in them) of earlier runs older than `afterMs`; returns their names. It is
 * the run's first word with containerd, so a containerd that is down or unreachable stops the run here, named.
 */
async function sweep(ctx: StepContext, now: Date, afterMs: number, run: (what: string, script: string) => Promise<Record_>, log: (m: string) => void): Promise<string[]> {
  const listed = await run('sweep', sweepScript(ctx));
  const rc = intOf(listed, 'ls-exit');
  if (rc !== 0) {
    const said = (listed.get('ls-out') ?? []).join(' ').trim().slice(0, 300);
    const killed = rc === 137 ? ` (killed after ${ctx.ctrTimeoutSeconds} s)` : '';
    throw new StepFailed(`containerd at ${ctx.address} did not answer \`${ctx.ctr} namespaces ls\` (exit ${rc ?? 'none'}${killed}): ${said || 'no output'}; is containerd running and is that its socket (the profile's containerd.socket.path)?`);
  }
  const expired = expiredNamespaces(listed.get('ns') ?? [], now, afterMs);
  const swept: string[] = [];
  for (const ns of expired) {
    const runId = ns.slice('nodegate-live-'.length);
    const r = await run(`sweep ${ns}`, cleanupScript({ ...ctx, namespace: ns, runId }));
    if (first(r, 'namespace') === 'gone') swept.push(ns);
    else log(`live sweep: could not remove ${ns}: ${(r.get('namespace-rm-out') ?? []).join(' ')}`);
  }
  return swept;
}
