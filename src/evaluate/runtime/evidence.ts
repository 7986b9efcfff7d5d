// Shared reading of runtime evidence: a command's fact and the containerd config, each either usable or an
// explanation of why it cannot be used, so every RT check fails closed the same way.
import type { CommandFact, NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import { readContainerdConfig, type ContainerdConfig } from '../../parse/containerd-config.ts';
import type { TomlProblem } from '../../parse/toml-strict.ts';

export type Ran = Extract<CommandFact, { state: 'ran' }>;

/** A command's fact, or why it is unusable (not probed, not installed, timed out, skipped). */
export function commandFact(facts: NodeFacts, name: string, display: string): { ok: true; fact: Ran } | { ok: false; why: string; notFound: boolean } {
  const fact = facts.commands[name];
  if (!fact) return { ok: false, why: `the probe did not run \`${display}\` (no "${name}" in the facts)`, notFound: false };
  switch (fact.state) {
    case 'ran':
      return { ok: true, fact };
    case 'not-found':
      return { ok: false, why: `\`${display}\`: ${firstWord(display)} is not installed or not on PATH (${oneLine(fact.stderr) || 'command not found'})`, notFound: true };
    case 'timeout':
      return { ok: false, why: `\`${display}\` timed out`, notFound: false };
    case 'skipped':
      return { ok: false, why: `\`${display}\` was not run: ${fact.reason}`, notFound: false };
  }
}

const firstWord = (s: string): string => s.split(' ')[0] ?? s;

/** Trimmed text on one line, for a verdict's actual field. */
export const oneLine = (s: string, max = 300): string => {
  const t = s.trim().replace(/\s*\n\s*/g, ' | ');
  return t.length > max ? `${t.slice(0, max)}…` : t;
};

/** The last `n` non-empty lines of a journal excerpt. */
export const lastLines = (s: string, n: number): string =>
  s
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join('\n');

export type ConfigEvidence =
  | { readonly kind: 'ok'; readonly config: ContainerdConfig; readonly path: string }
  | { readonly kind: 'absent'; readonly path: string }
  | { readonly kind: 'invalid'; readonly problem: TomlProblem; readonly path: string }
  | { readonly kind: 'unobservable'; readonly why: string; readonly path: string };

/** The containerd config at the profile's path, parsed strictly. */
export function containerdConfig(facts: NodeFacts, profile: Profile): ConfigEvidence {
  const path = profile.containerd.configPath;
  const fact = facts.files[path];
  if (!fact) return { kind: 'unobservable', why: `the probe did not read ${path}`, path };
  if (fact.state === 'missing') return { kind: 'absent', path };
  if (fact.state === 'unreadable') return { kind: 'unobservable', why: `${path} could not be read: ${fact.error}`, path };
  if (fact.type !== 'file') return { kind: 'invalid', problem: { message: `${path} is a ${fact.type}, not a file`, line: 0, column: 0 }, path };
  if (fact.content === undefined) return { kind: 'unobservable', why: `the probe kept no content for ${path}`, path };
  const read = readContainerdConfig(fact.content);
  return read.ok ? { kind: 'ok', config: read.config, path } : { kind: 'invalid', problem: read.problem, path };
}
