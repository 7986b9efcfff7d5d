// What every live check needs: the run (namespace, cleanup, waits), the images and settings from the profile,
// and the time it may take; plus the verdict helpers shared by the live checks.
import type { LiveRun } from '../../cluster/live/harness.ts';
import { error, type Evidence, type Verdict } from '../verdict.ts';
import type { SeccompDenial } from './inputs.ts';
import type { LiveImages } from './pods.ts';

export interface LiveTimeouts {
  /** A server pod (the guide's nginx-test) becoming Ready, image pull included. */
  readonly readyMs: number;
  /** A one-shot probe pod running to its end. */
  readonly podMs: number;
  /** How long the memory bomb may run when its limit is not enforced (stress --timeout). */
  readonly bombSeconds: number;
}

export const defaultTimeouts: LiveTimeouts = { readyMs: 120_000, podMs: 120_000, bombSeconds: 20 };

export interface LiveContext {
  readonly run: LiveRun;
  readonly node: string;
  readonly images: LiveImages;
  readonly clusterDomain: string;
  /** Where clusterDomain was read (the kubelet's effective configuration), or why it is assumed. */
  readonly clusterDomainFrom: string;
  readonly workloadNamespaces: readonly string[];
  /** localhost/<profile> for SEC-4.2.5, relative to the kubelet's seccomp root. */
  readonly seccompProfile: string;
  /** What the node's profile answers unshare(2) with, and where that was read. */
  readonly seccomp: SeccompDenial;
  readonly timeouts: LiveTimeouts;
}

/** An error verdict whose message carries the diagnosis (events, waiting reason, last log lines) when there is one. */
export function errorWith(e: Evidence, message: string, diagnosis = ''): Verdict {
  return error(e, diagnosis ? `${message}\n${diagnosis}` : message);
}

export const withDiagnosis = (message: string, diagnosis: string): string => (diagnosis ? `${message}\n${diagnosis}` : message);

/** The last `n` lines of a log, for a message. */
export function tail(log: string | undefined, n = 8): string {
  const lines = (log ?? '').trimEnd().split('\n').filter(Boolean);
  return lines.slice(-n).join(' | ');
}
