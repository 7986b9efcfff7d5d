// Shared reading of runtime evidence: a command's fact and the containerd config, each either usable or an
// explanation of why it cannot be used, so every RT check fails closed the same way.
import type { CommandFact, NodeFacts } from '../../facts/types.ts';
import type { Profile } from '../../profile/schema.ts';
import type { ContainerdConfig } from '../../parse/containerd-config.ts';
import { loadContainerdConfig, type FileRead } from '../../parse/containerd-load.ts';
import { candidateRules, globFromFacts } from '../../facts/requirements-containerd.ts';
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
  /** `refusedBy` names the release whose loader refuses the file ("containerd 1.6.20"), when it is a loader error. */
  | { readonly kind: 'invalid'; readonly problem: TomlProblem; readonly path: string; readonly refusedBy?: string }
  | { readonly kind: 'unobservable'; readonly why: string; readonly path: string };

/** A path as the loader sees it in the facts. */
function fileRead(facts: NodeFacts, path: string, main: string): FileRead {
  const f = facts.files[path];
  if (!f) return { kind: 'unknown', why: `the probe did not read ${path}, which containerd loads as an import of ${main}` };
  if (f.state === 'missing') return { kind: 'missing' };
  if (f.state === 'unreadable') return { kind: 'unknown', why: `${path} could not be read: ${f.error}` };
  if (f.type !== 'file') return { kind: 'not-a-file', type: f.type };
  if (f.content === undefined) return { kind: 'unknown', why: `the probe kept no content for ${path}` };
  return { kind: 'text', text: f.content };
}

/** The disabled_plugins entries that switch CRI off in this view: releases may name CRI differently. */
const criHits = (c: ContainerdConfig): string =>
  JSON.stringify((Array.isArray(c.value['disabled_plugins']) ? (c.value['disabled_plugins'] as unknown[]) : []).filter((n) => typeof n === 'string' && (c.criPluginIds ?? []).includes(n)));
const sameView = (a: ContainerdConfig, b: ContainerdConfig): boolean =>
  a.version === b.version && JSON.stringify(a.value) === JSON.stringify(b.value) && criHits(a) === criHits(b);

/**
 * The containerd config at the profile's path as the node's containerd release loads it: imports followed and merged,
 * then validated. When the release is unknown, every modelled release must agree, or the evidence is unobservable.
 */
export function containerdConfig(facts: NodeFacts, profile: Profile): ConfigEvidence {
  const path = profile.containerd.configPath;
  const fact = facts.files[path];
  if (!fact) return { kind: 'unobservable', why: `the probe did not read ${path}`, path };
  if (fact.state === 'missing') return { kind: 'absent', path };
  if (fact.state === 'unreadable') return { kind: 'unobservable', why: `${path} could not be read: ${fact.error}`, path };
  if (fact.type !== 'file') return { kind: 'invalid', problem: { message: `${path} is a ${fact.type}, not a file`, line: 0, column: 0 }, path };
  if (fact.content === undefined) return { kind: 'unobservable', why: `the probe kept no content for ${path}`, path };
  const source = { read: (p: string) => fileRead(facts, p, path), glob: (p: string) => globFromFacts(facts, p) };
  const outcomes = candidateRules(facts).map((rules) => ({ rules, outcome: loadContainerdConfig(path, source, rules) }));
  const first = outcomes[0];
  if (!first) return { kind: 'unobservable', why: 'no containerd release is modelled', path };
  const unknown = outcomes.find((o) => o.outcome.kind === 'unknown');
  if (unknown?.outcome.kind === 'unknown') return { kind: 'unobservable', why: unknown.outcome.why, path };
  if (outcomes.length > 1) {
    const o0 = first.outcome;
    const agree = outcomes.every(({ outcome: o }) => o.kind === o0.kind && (o.kind !== 'loaded' || o0.kind !== 'loaded' || sameView(o.config, o0.config)));
    if (!agree) {
      const each = outcomes.map(({ rules, outcome: o }) => `${rules.release}: ${o.kind === 'refused' ? 'refuses it' : 'loads it'}`).join(', ');
      return {
        kind: 'unobservable',
        why: `containerd's version could not be read, and releases read ${path} differently (${each}${outcomes.every((o) => o.outcome.kind === 'loaded') ? ', with different plugin tables' : ''})`,
        path,
      };
    }
  }
  const o = first.outcome;
  if (o.kind === 'loaded') return { kind: 'ok', config: o.config, path };
  if (o.kind === 'refused') {
    const problem = { message: o.error, line: o.line ?? 0, column: 0 };
    if (o.syntax) return { kind: 'invalid', problem, path };
    return { kind: 'invalid', problem, path, refusedBy: outcomes.length > 1 ? 'every modelled containerd release' : `containerd ${first.rules.release}` };
  }
  return { kind: 'unobservable', why: o.why, path };
}
