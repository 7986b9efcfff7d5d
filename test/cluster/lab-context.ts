// What the cluster tier's global setup hands its test files: the running lab's up.json line, or why there is none.
import { z } from 'zod';

export const upLine = z.object({ kubeconfig: z.string(), node: z.string(), target: z.string(), identity: z.string(), knownHosts: z.string(), images: z.string() });
export type UpLine = z.infer<typeof upLine>;

/** The lab as the global setup left it: up (and whether the setup owns its teardown), or unavailable with a reason. */
export type ClusterLab = { readonly ok: true; readonly up: UpLine; readonly dir: string } | { readonly ok: false; readonly reason: string };

declare module 'vitest' {
  interface ProvidedContext {
    clusterLab: ClusterLab;
  }
}
