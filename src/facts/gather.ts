// Gathers a node's facts in one exec round trip: compile the probe, run it privileged, parse what it printed.
import { randomBytes } from 'node:crypto';
import { TargetError } from '../errors.ts';
import type { Target } from '../target/types.ts';
import { privilegedShell, sudoFailure } from '../target/privileged.ts';
import { compileProbe } from './probe-script.ts';
import { parseProbeOutput, ProbeOutputError } from './probe-parse.ts';
import type { ProbeRequest } from './requirements.ts';
import type { NodeFacts } from './types.ts';

export interface GatherOptions {
  readonly node: string;
  readonly requests: readonly ProbeRequest[];
  readonly timeoutMs?: number;
}

export async function gatherFacts(target: Target, options: GatherOptions): Promise<NodeFacts> {
  const started = performance.now();
  const roundTripsBefore = target.roundTrips;
  const probe = compileProbe(options.requests, randomBytes(8).toString('hex'));
  const result = await target.exec(privilegedShell, { stdin: probe.text, timeoutMs: options.timeoutMs ?? 60_000 });
  const sudo = sudoFailure(result, target.label);
  if (sudo) throw sudo;
  let parsed;
  try {
    parsed = parseProbeOutput(result.stdout, probe.marker);
  } catch (cause) {
    if (!(cause instanceof ProbeOutputError)) throw cause;
    const stderr = result.stderr.trim().split('\n').slice(-3).join(' | ');
    throw new TargetError(
      'probe-failed',
      target.label,
      `the fact probe did not run (exit ${result.exitCode}${stderr ? `: ${stderr}` : ''}; ${cause.message})`,
      'check that the node has a POSIX /bin/sh with coreutils (stat, cat, mktemp) and that the login shell prints nothing extra',
      { cause },
    );
  }
  return {
    format: 'nodegate-facts/1',
    node: options.node,
    target: target.label,
    gatheredAt: new Date().toISOString(),
    probe: {
      roundTrips: target.roundTrips - roundTripsBefore,
      durationMs: Math.round(performance.now() - started),
      uid: parsed.uid,
      sudo: parsed.sudo,
    },
    systemd: parsed.systemd,
    files: parsed.files,
    dirs: parsed.dirs,
    commands: parsed.commands,
    sysctls: parsed.sysctls,
  };
}

