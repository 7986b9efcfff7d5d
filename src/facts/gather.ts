// Gathers a node's facts in one exec round trip: compile the probe, run it privileged, parse what it printed.
import { randomBytes } from 'node:crypto';
import { TargetError } from '../errors.ts';
import type { Target } from '../target/types.ts';
import { privilegedShell, sudoFailure } from '../target/privileged.ts';
import { compileProbe } from './probe-script.ts';
import { parseProbeOutput, ProbeOutputError, type ParsedProbe } from './probe-parse.ts';
import { redactCommandOutput } from './redact.ts';
import type { ProbeRequest } from './requirements.ts';
import type { NodeFacts } from './types.ts';

export interface GatherOptions {
  readonly node: string;
  readonly requests: readonly ProbeRequest[];
  /** Requests that depend on what the first round found; run as a second round trip only when non-empty. */
  readonly followUps?: (round1: NodeFacts) => readonly ProbeRequest[];
  readonly timeoutMs?: number;
}

export async function gatherFacts(target: Target, options: GatherOptions): Promise<NodeFacts> {
  const started = performance.now();
  const roundTripsBefore = target.roundTrips;
  const parsed = await runProbe(target, options.requests, options.timeoutMs);
  const facts = (): NodeFacts =>
    factsFromProbe(parsed, {
      node: options.node,
      target: target.label,
      roundTrips: target.roundTrips - roundTripsBefore,
      durationMs: Math.round(performance.now() - started),
    });
  const more = options.followUps?.(facts()) ?? [];
  if (more.length > 0) {
    const second = await runProbe(target, more, options.timeoutMs);
    Object.assign(parsed.files, second.files);
    Object.assign(parsed.dirs, second.dirs);
    Object.assign(parsed.commands, second.commands);
    Object.assign(parsed.sysctls, second.sysctls);
  }
  return facts();
}

/** NodeFacts from a parsed probe: the one place the shape is assembled. */
export function factsFromProbe(
  parsed: ParsedProbe,
  run: { node: string; target: string; roundTrips: number; durationMs: number },
): NodeFacts {
  return {
    format: 'nodegate-facts/1',
    node: run.node,
    target: run.target,
    gatheredAt: new Date().toISOString(),
    probe: { roundTrips: run.roundTrips, durationMs: run.durationMs, uid: parsed.uid, sudo: parsed.sudo },
    systemd: parsed.systemd,
    files: parsed.files,
    dirs: parsed.dirs,
    commands: parsed.commands,
    sysctls: parsed.sysctls,
  };
}

async function runProbe(target: Target, requests: readonly ProbeRequest[], timeoutMs = 60_000): Promise<ParsedProbe> {
  const probe = compileProbe(requests, randomBytes(8).toString('hex'));
  const result = await target.exec(privilegedShell, { stdin: probe.text, timeoutMs });
  const sudo = sudoFailure(result, target.label);
  if (sudo) throw sudo;
  try {
    return parseProbeOutput(result.stdout, probe);
  } catch (cause) {
    if (!(cause instanceof ProbeOutputError)) throw cause;
    // The script's own stderr goes into the message (and so to the console): redacted like every other output.
    const stderr = redactCommandOutput(result.stderr).trim().split('\n').slice(-3).join(' | ');
    throw new TargetError(
      'probe-failed',
      target.label,
      `the fact probe did not run (exit ${result.exitCode}${stderr ? `: ${stderr}` : ''}; ${cause.message})`,
      'check that the node has a POSIX /bin/sh with coreutils (stat, cat, mktemp -d with a writable $TMPDIR or /tmp) and that the login shell prints nothing extra',
      { cause },
    );
  }
}

