// Reads files and command outputs out of NodeFacts, turning every way evidence can be absent into a sentence.
import type { NodeFacts } from '../../facts/types.ts';

export type FileRead =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'missing' }
  /** Anything that keeps us from knowing: unreadable, not gathered, present without text. */
  | { readonly kind: 'unknown'; readonly reason: string };

export function readFile(facts: NodeFacts, path: string): FileRead {
  const f = facts.files[path];
  if (f === undefined) return { kind: 'unknown', reason: `${path} was not gathered by the probe` };
  if (f.state === 'missing') return { kind: 'missing' };
  if (f.state === 'unreadable') return { kind: 'unknown', reason: `${path} is unreadable: ${f.error}` };
  if (f.content === undefined) return { kind: 'unknown', reason: `${path} exists (${f.type}) but its content was not captured` };
  return { kind: 'text', text: f.content };
}

/** Present on the node (stat evidence such as /sys/module/overlay): true, false, or undefined when unknown. */
export function exists(facts: NodeFacts, path: string): boolean | undefined {
  const f = facts.files[path];
  if (f === undefined || f.state === 'unreadable') return undefined;
  return f.state === 'present';
}

export type CommandRead = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly reason: string };

/**
 * Output of a command that must have exited 0 (or with a status `okExit` accepts); `display` is the command
 * line a person would type.
 */
export function commandOutput(facts: NodeFacts, name: string, display: string, okExit: (code: number) => boolean = (c) => c === 0): CommandRead {
  const c = facts.commands[name];
  if (c === undefined) return { ok: false, reason: `\`${display}\` was not run by the probe` };
  if (c.state === 'skipped') return { ok: false, reason: `\`${display}\` was not run: ${c.reason}` };
  if (c.state === 'not-found') return { ok: false, reason: `\`${display}\` failed: command not found (${c.stderr.trim()})` };
  if (c.state === 'timeout') return { ok: false, reason: `\`${display}\` timed out` };
  if (!okExit(c.exitCode)) {
    const err = c.stderr.trim();
    return { ok: false, reason: `\`${display}\` exited with status ${c.exitCode}${err ? `: ${err}` : ''}` };
  }
  return { ok: true, stdout: c.stdout };
}

/** Values compare as integers token by token ("01" = "1", "4\t4 1 7" = "4 4 1 7"), else as text. */
export function sameSysctlValue(a: string, b: string): boolean {
  const ta = a.trim().split(/\s+/);
  const tb = b.trim().split(/\s+/);
  if (ta.length !== tb.length) return false;
  return ta.every((x, i) => {
    const y = tb[i] ?? '';
    if (/^-?\d+$/.test(x) && /^-?\d+$/.test(y)) return BigInt(x) === BigInt(y);
    return x === y;
  });
}
