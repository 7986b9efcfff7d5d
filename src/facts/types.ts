// NodeFacts: everything one probe learned about a node, as plain data that can be saved and replayed.
import type { HttpProbe } from './runner-probe.ts';

export type FileType = 'file' | 'directory' | 'socket' | 'symlink' | 'other';

export type FileFact =
  | {
      readonly state: 'present';
      readonly type: FileType;
      /** Permission bits only (e.g. 0o660), from stat after following symlinks. */
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
      readonly size: number;
      /** Where a symlink points, as readlink printed it. */
      readonly linkTarget?: string;
      /** Text content, absent for sockets, directories and secret files. */
      readonly content?: string;
      /** sha256 of the content when the file is secret: proves identity without leaking it. */
      readonly sha256?: string;
    }
  | { readonly state: 'missing' }
  | { readonly state: 'unreadable'; readonly error: string };

export type DirFact =
  | { readonly state: 'present'; readonly entries: readonly string[] }
  | { readonly state: 'missing' };

export type CommandFact =
  | { readonly state: 'ran'; readonly exitCode: number; readonly stdout: string; readonly stderr: string }
  | { readonly state: 'not-found'; readonly stderr: string }
  | { readonly state: 'timeout' }
  /** Not run, for a stated reason (a systemd tool on a node without systemd). */
  | { readonly state: 'skipped'; readonly reason: string };

export type SysctlFact =
  | { readonly state: 'present'; readonly value: string }
  | { readonly state: 'missing' }
  | { readonly state: 'unreadable'; readonly error: string };

export interface ProbeInfo {
  /** Exec round trips the gather took (SSH channel opens or local spawns). */
  readonly roundTrips: number;
  readonly durationMs: number;
  /** Effective uid the probe ran as (0 after sudo). */
  readonly uid: number;
  readonly sudo: boolean;
}

/** What the machine running nodegate observed of the node itself, beside the node's own view. */
export interface RunnerFacts {
  /** A bare TCP connect per port: what runs before HTTP probing recorded; kept so their snapshots still replay. */
  readonly tcp?: Readonly<Record<number, 'open' | 'refused' | 'timeout'>>;
  /** An HTTP GET of /healthz per port: tells a kubelet answering apart from a forward that only accepts TCP. */
  readonly http?: Readonly<Record<number, HttpProbe>>;
}

export interface NodeFacts {
  readonly format: 'nodegate-facts/1';
  /** Node name the run was asked to audit. */
  readonly node: string;
  /** The target as the user gave it (ssh://user@host:port, local, snapshot:FILE). */
  readonly target: string;
  readonly gatheredAt: string;
  readonly probe: ProbeInfo;
  /** systemd is PID 1 (/run/systemd/system exists); unit-state checks need it. */
  readonly systemd: boolean;
  readonly files: Readonly<Record<string, FileFact>>;
  readonly dirs: Readonly<Record<string, DirFact>>;
  readonly commands: Readonly<Record<string, CommandFact>>;
  readonly sysctls: Readonly<Record<string, SysctlFact>>;
  readonly runner?: RunnerFacts;
  /** The kubelet's /configz, once a cluster is configured: the effective configuration wins over every layer. */
  readonly configz?: object;
}
