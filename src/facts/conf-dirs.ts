// The systemd/procps drop-in directory rule shared by sysctl.d, modules-load.d and unit drop-ins: the first directory in the
// search path that has a file name wins that name, files apply in lexical order of name, /dev/null masks.
import { posix } from 'node:path';
import type { NodeFacts } from './types.ts';

export interface ConfFile {
  readonly name: string;
  readonly path: string;
  /** How a person should see it: the path, plus where a symlink points. */
  readonly display: string;
  /** null when the file contributes nothing (masked by /dev/null, or a dangling link). */
  readonly text: string | null;
  readonly masked: boolean;
}

export interface ShadowedFile {
  readonly file: ConfFile;
  /** The higher-precedence file of the same name that hides it. */
  readonly by: string;
}

export interface ConfDirs {
  /** Winning files, sorted by file name: the order they are applied. */
  readonly files: readonly ConfFile[];
  readonly shadowed: readonly ShadowedFile[];
  /** Evidence that could not be read; any entry makes the merged result untrustworthy. */
  readonly unknown: readonly string[];
}

/** Content of one entry, following a symlink into another gathered file when its text was not captured. */
export function resolveEntry(facts: NodeFacts, dir: string, name: string): { file?: ConfFile; unknown?: string } {
  const path = `${dir}/${name}`;
  const f = facts.files[path];
  if (f === undefined) return { unknown: `${path} is listed in ${dir} but was not read by the probe` };
  if (f.state === 'missing') return { file: { name, path, display: `${path} (dangling)`, text: null, masked: false } };
  // stat -L on a dangling symlink fails with ENOENT; sysctl and systemd skip such an entry.
  if (f.state === 'unreadable' && /No such file or directory/.test(f.error)) return { file: { name, path, display: `${path} (dangling symlink)`, text: null, masked: false } };
  if (f.state === 'unreadable') return { unknown: `${path} is unreadable: ${f.error}` };
  const target = f.linkTarget === undefined ? undefined : posix.resolve(dir, f.linkTarget);
  const display = f.linkTarget === undefined ? path : `${path} (→ ${f.linkTarget})`;
  if (target === '/dev/null') return { file: { name, path, display, text: null, masked: true } };
  if (f.content !== undefined) return { file: { name, path, display, text: f.content, masked: false } };
  if (target !== undefined) {
    const t = facts.files[target];
    if (t?.state === 'present' && t.content !== undefined) return { file: { name, path, display, text: t.content, masked: false } };
    if (t?.state === 'missing') return { file: { name, path, display: `${path} (dangling → ${f.linkTarget})`, text: null, masked: false } };
  }
  if (f.type === 'directory') return { file: { name, path, display: `${path} (a directory)`, text: null, masked: false } };
  return { unknown: `${path} exists (${f.type}) but its content was not captured` };
}

export function collectConfDirs(facts: NodeFacts, dirs: readonly string[], suffix = '.conf'): ConfDirs {
  const winners = new Map<string, { dir: string; path: string }>();
  const losers: { dir: string; name: string; by: string }[] = [];
  const unknown: string[] = [];
  for (const dir of dirs) {
    const d = facts.dirs[dir];
    if (d === undefined) {
      unknown.push(`directory ${dir} was not listed by the probe`);
      continue;
    }
    if (d.state === 'missing') continue;
    for (const name of d.entries) {
      if (!name.endsWith(suffix)) continue;
      const first = winners.get(name);
      if (first) losers.push({ dir, name, by: first.path });
      else winners.set(name, { dir, path: `${dir}/${name}` });
    }
  }
  const files: ConfFile[] = [];
  // strcmp order, as procps' qsort and systemd's conf_files_list use: byte order, not locale order.
  const names = [...winners.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const w = winners.get(name);
    if (!w) continue;
    const r = resolveEntry(facts, w.dir, name);
    if (r.unknown) unknown.push(r.unknown);
    if (r.file) files.push(r.file);
  }
  const shadowed: ShadowedFile[] = [];
  for (const l of losers) {
    const r = resolveEntry(facts, l.dir, l.name);
    // A hidden file we cannot read changes nothing: it is never applied.
    if (r.file) shadowed.push({ file: r.file, by: l.by });
  }
  return { files, shadowed, unknown };
}
