// containerd `imports` as probe requests: round one reads the main config, round two reads what its `imports` name
// (a file, or a directory listing for a glob, matched again on the runner with Go's rules) and how the runner
// expands a glob from that listing.
import { readContainerdFile } from '../parse/containerd-config.ts';
import { resolveImports, type GlobRead } from '../parse/containerd-load.ts';
import { loaderRules, representativeReleases, type LoaderRules } from '../parse/containerd-rules.ts';
import { parseContainerdVersion, parseCtrVersion } from '../parse/version.ts';
import semver from 'semver';
import { cmd, type DirRequest, type FileRequest, type ProbeRequest } from './requirements.ts';
import type { NodeFacts } from './types.ts';

/** Characters the probe may put into its shell glob (the compiler refuses others); `[` classes are not expanded on the node. */
const safePattern = /^[A-Za-z0-9_.*?-]+$/;
const hasMeta = (s: string): boolean => /[*?[\\]/.test(s);

/** The release whose rules apply on a restart: the binary on disk first (it is what starts next), else the running daemon. */
export function containerdLoaderRules(facts: NodeFacts): LoaderRules | undefined {
  const bin = facts.commands[cmd.containerdVersion];
  const ctr = facts.commands[cmd.ctrVersion];
  const found =
    (bin?.state === 'ran' && bin.exitCode === 0 ? parseContainerdVersion(bin.stdout) : undefined) ??
    (ctr?.state === 'ran' && ctr.exitCode === 0 ? parseCtrVersion(ctr.stdout, 'Server') : undefined);
  return found ? loaderRules(found.version) : undefined;
}

/** The rule sets to consider: the node's release, or every modelled behaviour when it is unknown. */
export function candidateRules(facts: NodeFacts): LoaderRules[] {
  const known = containerdLoaderRules(facts);
  if (known) return [known];
  return representativeReleases.map((r) => loaderRules(new semver.SemVer(r))).filter((r): r is LoaderRules => r !== undefined);
}

/** Go's filepath.Match for the patterns the probe can list (`*` and `?`; no separators inside a name). */
export function goMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`, 's');
  return re.test(name);
}

const splitGlob = (pattern: string): { dir: string; base: string } => {
  const i = pattern.lastIndexOf('/');
  return { dir: i <= 0 ? '/' : pattern.slice(0, i), base: pattern.slice(i + 1) };
};

/** Expand an absolute glob from the directory listing the probe made (Go's Glob sorts the names it returns). */
export function globFromFacts(facts: NodeFacts, pattern: string): GlobRead {
  const { dir, base } = splitGlob(pattern);
  if (hasMeta(dir)) return { kind: 'unknown', why: `the import ${pattern} has a wildcard in its directory part, which nodegate does not expand` };
  if (!safePattern.test(base)) return { kind: 'unknown', why: `the import ${pattern} uses glob syntax nodegate does not expand on the node (only * and ?)` };
  const listing = facts.dirs[dir];
  if (!listing) return { kind: 'unknown', why: `the probe did not list ${dir} for the import ${pattern}` };
  if (listing.state === 'missing') return { kind: 'matches', paths: [] };
  // The shell's * skips names starting with a dot, Go's does not: a hidden file in the directory is not seen.
  const names = listing.entries.filter((n) => goMatch(base, n)).sort();
  return { kind: 'matches', paths: names.map((n) => `${dir === '/' ? '' : dir}/${n}`) };
}

/** Round two: every path the main config's `imports` name, under each rule set that may apply. */
export function containerdFollowUps(round1: NodeFacts, configPath: string): ProbeRequest[] {
  const main = configPath;
  const fact = round1.files[main];
  if (fact?.state !== 'present' || fact.content === undefined) return [];
  // go-toml v1's reading (containerd 1.x) accepts what TOML 1.0 does and more: a 1.x file that only loads that
  // way still names its imports. Reading them for a 2.x node too costs one file request, never a verdict.
  const parsed = readContainerdFile(fact.content, true);
  if (!parsed.ok) return [];
  const imports = parsed.value['imports'];
  if (!Array.isArray(imports)) return [];
  const names = imports.filter((s): s is string => typeof s === 'string');
  const out = new Map<string, ProbeRequest>();
  for (const rules of candidateRules(round1)) {
    const globs: string[] = [];
    const r = resolveImports(main, names, rules, (pattern) => {
      globs.push(pattern);
      return { kind: 'matches', paths: [] };
    });
    if (!r.ok) continue;
    for (const path of r.paths) if (round1.files[path] === undefined) out.set(`f:${path}`, { kind: 'file', path } satisfies FileRequest);
    for (const g of globs) {
      const { dir, base } = splitGlob(g);
      if (hasMeta(dir) || !safePattern.test(base) || round1.dirs[dir] !== undefined) continue;
      const seen = out.get(`d:${dir}`);
      // Two patterns in one directory: list everything there and let the runner match each pattern.
      const glob = seen?.kind === 'dir' && seen.glob !== base ? '*' : base;
      out.set(`d:${dir}`, { kind: 'dir', path: dir, glob } satisfies DirRequest);
    }
  }
  return [...out.values()];
}
