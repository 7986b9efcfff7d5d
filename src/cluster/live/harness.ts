// A live run: sweep expired run namespaces, create this run's namespace (cleanup registered first), create probe
// pods pinned to the node under test, wait on them through watches, and remove everything at the end or on an
// interrupt. The checks built on it live in src/evaluate/live/.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { CleanupRegistry, type CleanupResult, type SignalSource } from './cleanup.ts';
import { newRunId, runNamespaceManifest, runNamespaceName } from './run-namespace.ts';
import { sweepExpired, type SweepResult } from './sweep.ts';
import { waitForPod, type PodOutcome, type WaitOptions } from './wait-pod.ts';

export interface LiveRunOptions {
  readonly node: string;
  /** How long the namespace may outlive a crashed run before a sweep removes it. */
  readonly ttlMs?: number;
  readonly now?: () => Date;
  readonly runId?: string;
  /** Signals to clean up on; process by default. Tests pass an emitter. */
  readonly signals?: SignalSource;
  readonly exit?: (code: number) => void;
  /** How long cleanup waits for the namespace to be gone (a real one is Terminating for a while). */
  readonly goneTimeoutMs?: number;
  /** Where interrupt progress is said; stderr by default. */
  readonly log?: (message: string) => void;
}

const isNotFound = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 404;

export class LiveRun {
  readonly runId: string;
  readonly namespace: string;
  readonly cleanup = new CleanupRegistry();
  private readonly core: CoreV1Api;
  /** The run's credentials, for the objects the checks make inside its namespace (objects.ts). */
  readonly kc: KubeConfig;
  private readonly options: LiveRunOptions;

  constructor(kc: KubeConfig, options: LiveRunOptions) {
    this.kc = kc;
    this.options = options;
    this.runId = options.runId ?? newRunId((options.now ?? (() => new Date()))());
    this.namespace = runNamespaceName(this.runId);
    this.core = kc.makeApiClient(CoreV1Api);
    const log = options.log ?? ((m: string) => void process.stderr.write(`nodegate: ${m}\n`));
    this.cleanup.installSignalHandlers(options.signals ?? process, options.exit ?? ((code) => process.exit(code)), { onInterrupt: log });
  }

  /** Sweeps expired namespaces, then creates this run's; the deletion is registered before the create is sent. */
  async start(): Promise<SweepResult> {
    const now = (this.options.now ?? (() => new Date()))();
    const swept = await sweepExpired(this.kc, now);
    this.cleanup.add(`namespace ${this.namespace}`, () => this.deleteNamespace());
    this.cleanup.signal.throwIfAborted();
    const expires = new Date(now.getTime() + (this.options.ttlMs ?? 15 * 60_000));
    await this.cleanup.track(this.core.createNamespace({ body: runNamespaceManifest(this.runId, this.options.node, expires) }));
    return swept;
  }

  /** Creates a probe pod in the run namespace, pinned to the node under test (spec.nodeName: no scheduler). */
  async createPod(pod: V1Pod): Promise<V1Pod> {
    this.cleanup.signal.throwIfAborted();
    const name = pod.metadata?.name;
    if (!name) throw new Error('a probe pod needs metadata.name');
    const body: V1Pod = { ...pod, metadata: { ...pod.metadata, name, namespace: this.namespace }, spec: { ...pod.spec, containers: pod.spec?.containers ?? [], nodeName: this.options.node } };
    return this.cleanup.track(this.core.createNamespacedPod({ namespace: this.namespace, body }));
  }

  waitForPod(name: string, options: Omit<WaitOptions, 'signal'>): Promise<PodOutcome> {
    return waitForPod(this.kc, this.namespace, name, { ...options, signal: this.cleanup.signal });
  }

  /** End of the run (afterAll): everything registered is removed. */
  finish(): Promise<CleanupResult[]> {
    return this.cleanup.runAll();
  }

  private async deleteNamespace(): Promise<void> {
    try {
      await this.core.deleteNamespace({ name: this.namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    // A real namespace stays Terminating until its pods are gone; wait for it, bounded (the sweep catches the rest).
    const until = Date.now() + (this.options.goneTimeoutMs ?? 60_000);
    while (Date.now() < until) {
      try {
        await this.core.readNamespace({ name: this.namespace });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`namespace ${this.namespace} is still terminating after ${Math.round((this.options.goneTimeoutMs ?? 60_000) / 1000)}s; the next run's sweep removes it after its expiry`);
  }
}
