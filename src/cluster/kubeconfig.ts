// Where the cluster credentials come from: --kubeconfig, then KUBECONFIG, then the in-cluster service account,
// then ~/.kube/config; decided by a pure function, then loaded through client-node's KubeConfig.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeconfigOptions {
  /** --kubeconfig FILE. */
  readonly kubeconfig?: string;
  /** --context NAME. */
  readonly context?: string;
}

export type KubeconfigSource =
  | { readonly kind: 'file'; readonly paths: readonly string[]; readonly from: '--kubeconfig' | 'KUBECONFIG' | 'default'; readonly context?: string }
  | { readonly kind: 'in-cluster'; readonly context?: string }
  | { readonly kind: 'none'; readonly reason: string };

/** The in-cluster service account files client-node reads (rest.InClusterConfig's). */
export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ResolveDeps {
  readonly exists: (path: string) => boolean;
  readonly home: string;
}

const blank = (v: string | undefined): boolean => v === undefined || v.trim() === '';

/**
 * kubectl's order, plus the service account for a run inside a pod: an explicit path wins; KUBECONFIG is a
 * list (':' on Linux) merged in order; inside a pod (KUBERNETES_SERVICE_HOST and the token file) the service
 * account; else ~/.kube/config when it exists.
 */
export function resolveKubeconfig(options: KubeconfigOptions, env: Readonly<Record<string, string | undefined>>, deps: ResolveDeps = { exists: existsSync, home: homedir() }): KubeconfigSource {
  const context = blank(options.context) ? {} : { context: options.context?.trim() ?? '' };
  if (!blank(options.kubeconfig)) return { kind: 'file', paths: [options.kubeconfig ?? ''], from: '--kubeconfig', ...context };
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p.trim() !== '');
  if (listed.length > 0) return { kind: 'file', paths: listed, from: 'KUBECONFIG', ...context };
  if (!blank(env['KUBERNETES_SERVICE_HOST']) && deps.exists(join(serviceAccountDir, 'token'))) return { kind: 'in-cluster', ...context };
  const home = blank(env['HOME']) ? deps.home : (env['HOME'] ?? deps.home);
  const def = join(home, '.kube', 'config');
  if (deps.exists(def)) return { kind: 'file', paths: [def], from: 'default', ...context };
  return { kind: 'none', reason: `no cluster configured: no --kubeconfig, KUBECONFIG is unset, not running in a pod, and ${def} does not exist` };
}

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

export interface LoadedKubeconfig {
  readonly kc: KubeConfig;
  readonly context: string;
  readonly server: string;
}

/** Loads the resolved source; a missing file, an unknown context or a context without a cluster is a KubeconfigError. */
export function loadKubeconfig(source: Exclude<KubeconfigSource, { kind: 'none' }>): LoadedKubeconfig {
  const kc = new KubeConfig();
  if (source.kind === 'in-cluster') kc.loadFromCluster();
  else {
    for (const p of source.paths) if (!existsSync(p)) throw new KubeconfigError(`kubeconfig ${p} (from ${source.from}) does not exist`);
    try {
      // Several KUBECONFIG files merge as kubectl merges them: the first file to set a name wins.
      const [first, ...rest] = source.paths;
      kc.loadFromFile(first ?? '');
      for (const p of rest) {
        const more = new KubeConfig();
        more.loadFromFile(p);
        // client-node's mergeConfig throws on a repeated name; kubectl keeps the first file's entry.
        for (const c of more.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c);
        for (const u of more.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u);
        for (const x of more.getContexts()) if (!kc.getContextObject(x.name)) kc.addContext(x);
        if (!kc.getCurrentContext() && more.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
      }
    } catch (err) {
      throw new KubeconfigError(`kubeconfig ${source.paths.join(delimiter)} (from ${source.from}) cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (source.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === source.context)) {
      throw new KubeconfigError(`context "${source.context}" is not in the kubeconfig (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(source.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeconfigError(`the kubeconfig's context "${kc.getCurrentContext()}" names no cluster`);
  return { kc, context: kc.getCurrentContext(), server: cluster.server };
}
