// Which live steps a selection of live check IDs needs, as data: each ID's own steps and the controls whose verdict
// it needs first (NET-5.4.1 needs NET-5.3.2's allowed request), so `--only NET-5.4.1` runs the server, the control's
// client and the blocked probe and nothing else, and a selection with no live ID creates nothing at all.

/** The live check IDs, in the catalog's order. */
export const liveCheckIds = [
  'NET-5.2.1',
  'NET-5.2.2',
  'NET-5.3.1',
  'NET-5.3.2',
  'NET-5.4.1',
  'NET-5.4.2',
  'RES-6.2.1',
  'RES-6.2.2',
  'RES-6.2.3',
  'SEC-4.2.5',
  'SEC-4.3.1',
  'SEC-4.3.2',
  'SEC-4.3.4',
  'SEC-4.3.5',
  'KUBELET-3.5.2',
  'KUBELET-3.5.3',
  'KUBELET-3.5.4',
] as const;
export type LiveCheckId = (typeof liveCheckIds)[number];

/**
 * One thing the live run does: a probe pod (web, client, blocked, restored, bomb, limits, seccomp), the test
 * Service, a server-side dry-run (admission-*), or a request to the kubelet API (kubelet-*).
 */
export type LiveStep =
  | 'web'
  | 'service'
  | 'client'
  | 'blocked'
  | 'restored'
  | 'bomb'
  | 'limits'
  | 'seccomp'
  | 'admission-hostpath'
  | 'admission-privileged'
  | 'kubelet-anonymous'
  | 'kubelet-token';

interface Need {
  readonly steps: readonly LiveStep[];
  /** Checks whose verdict this one needs first (its positive control); they run as controls when not selected. */
  readonly controls?: readonly LiveCheckId[];
}

/** What each live check needs. The network checks read one client pod; SEC-4.3.1/4.3.2 and KUBELET-3.5.4 the server pod. */
export const liveNeeds: Readonly<Record<LiveCheckId, Need>> = {
  'NET-5.2.1': { steps: ['client'] },
  // A ClusterIP Service resolves whether or not a pod backs it: the name is the evidence, not the answer.
  'NET-5.2.2': { steps: ['service', 'client'] },
  'NET-5.3.1': { steps: ['client'] },
  'NET-5.3.2': { steps: ['web', 'service', 'client'] },
  // "Blocked" proves nothing unless the same request was allowed seconds before (the issue: NET-5.3.2 first).
  'NET-5.4.1': { steps: ['blocked'], controls: ['NET-5.3.2'] },
  // Restoring traffic that was never blocked proves nothing: NET-5.4.1 (and through it NET-5.3.2) first.
  'NET-5.4.2': { steps: ['restored'], controls: ['NET-5.4.1'] },
  'RES-6.2.1': { steps: ['bomb'] },
  'RES-6.2.2': { steps: ['bomb'] },
  'RES-6.2.3': { steps: ['limits'] },
  'SEC-4.2.5': { steps: ['seccomp'] },
  'SEC-4.3.1': { steps: ['web'] },
  'SEC-4.3.2': { steps: ['web'] },
  'SEC-4.3.4': { steps: ['admission-hostpath'] },
  'SEC-4.3.5': { steps: ['admission-privileged'] },
  'KUBELET-3.5.2': { steps: ['kubelet-anonymous'] },
  'KUBELET-3.5.3': { steps: ['kubelet-token'] },
  'KUBELET-3.5.4': { steps: ['web'] },
};

/** Steps that make objects in the run's namespace (the dry-runs go to the workload namespaces, kubelet-anonymous to the kubelet). */
const inNamespace: ReadonlySet<LiveStep> = new Set<LiveStep>(['web', 'service', 'client', 'blocked', 'restored', 'bomb', 'limits', 'seccomp', 'kubelet-token']);

export interface LivePlan {
  /** The IDs the caller selected: the only ones reported. */
  readonly selected: ReadonlySet<LiveCheckId>;
  /** Selected IDs plus their controls, transitively: the verdicts the run computes. */
  readonly judged: ReadonlySet<LiveCheckId>;
  readonly steps: ReadonlySet<LiveStep>;
  /** Whether any step makes an object in the run's namespace (otherwise none is created). */
  readonly needsNamespace: boolean;
}

export const isLiveCheckId = (id: string): id is LiveCheckId => (liveCheckIds as readonly string[]).includes(id);

export function livePlan(selected: Iterable<LiveCheckId>): LivePlan {
  const chosen = new Set(selected);
  const judged = new Set<LiveCheckId>();
  const add = (id: LiveCheckId): void => {
    if (judged.has(id)) return;
    judged.add(id);
    for (const c of liveNeeds[id].controls ?? []) add(c);
  };
  for (const id of chosen) add(id);
  const steps = new Set([...judged].flatMap((id) => liveNeeds[id].steps));
  return {
    selected: chosen,
    judged,
    steps,
    needsNamespace: [...steps].some((s) => inNamespace.has(s)),
  };
}

/** The selected checks that need `id` as their control, directly or through another control (empty: none does). */
export function neededBy(plan: LivePlan, id: LiveCheckId): LiveCheckId[] {
  return [...plan.selected].filter((s) => s !== id && dependsOn(s, id));
}

function dependsOn(id: LiveCheckId, control: LiveCheckId): boolean {
  return (liveNeeds[id].controls ?? []).some((c) => c === control || dependsOn(c, control));
}
