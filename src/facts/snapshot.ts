// Saves gathered facts to a file and replays them, so a node can be audited again with no node at all.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.ts';
import type { NodeFacts } from './types.ts';

/** A node the live run could not observe, kept so a replay reaches the same gate (exit 3) as the run it records. */
export interface UnobservedNode {
  readonly node: string;
  readonly target: string;
  readonly failure: string;
  readonly message: string;
}

/**
 * Format 2 adds `unobserved`. A format-1 file (facts only) still replays; format 2 is a new name so an older
 * nodegate refuses a file whose unobserved nodes it would silently drop (and pass).
 */
export interface Snapshot {
  readonly format: 'nodegate-snapshot/2';
  readonly nodes: readonly NodeFacts[];
  readonly unobserved: readonly UnobservedNode[];
}

export async function saveSnapshot(file: string, nodes: readonly NodeFacts[], unobserved: readonly UnobservedNode[] = []): Promise<void> {
  const snapshot: Snapshot = { format: 'nodegate-snapshot/2', nodes, unobserved };
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, `${JSON.stringify(snapshot, null, 1)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true });
    throw new UsageError(`cannot save snapshot ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, 'pass a path in a writable directory with room for it', { cause });
  }
}

export async function loadSnapshot(file: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new UsageError(`cannot read snapshot ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, 'pass a file written by --save-snapshot', { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new UsageError(`snapshot ${file} is not JSON: ${(cause as Error).message}`, 'pass a file written by --save-snapshot', { cause });
  }
  const snapshot = asSnapshot(data);
  if (!snapshot) {
    throw new UsageError(`snapshot ${file} is not a nodegate snapshot (expected "format": "nodegate-snapshot/1" or "/2" and a "nodes" list)`, 'pass a file written by --save-snapshot');
  }
  snapshot.nodes.forEach((facts, i) => {
    const wrong = misshapen(facts);
    if (wrong) throw new UsageError(`snapshot ${file}: nodes[${i}] ${wrong}`, 'pass a file written by --save-snapshot, unedited');
  });
  if (snapshot.nodes.length === 0 && snapshot.unobserved.length === 0) {
    throw new UsageError(`snapshot ${file} holds no node: replaying it would audit nothing`, 'pass a file written by --save-snapshot from a run that reached at least one node');
  }
  return snapshot;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isUnobserved(v: unknown): v is UnobservedNode {
  return isRecord(v) && ['node', 'target', 'failure', 'message'].every((k) => typeof v[k] === 'string' && v[k] !== '');
}

/**
 * The top-level shape every evaluator relies on, so a hand-edited or truncated file is a usage error naming the
 * field rather than a check that crashes (exit 4). The contents of each fact are not validated here.
 */
function misshapen(facts: NodeFacts): string | undefined {
  const f = facts as unknown as Record<string, unknown>;
  if (typeof f.node !== 'string' || f.node === '') return 'has no "node" name';
  const name = `(${f.node})`;
  if (typeof f.target !== 'string') return `${name}: field "target" is not a string`;
  if (typeof f.systemd !== 'boolean') return `${name}: field "systemd" is not true or false`;
  for (const field of ['probe', 'files', 'dirs', 'commands', 'sysctls']) {
    if (!isRecord(f[field])) return `${name}: field "${field}" is missing or not a mapping`;
  }
  return undefined;
}

/** Either format, as format 2; undefined when the data is neither. */
function asSnapshot(data: unknown): Snapshot | undefined {
  if (!isRecord(data) || !Array.isArray(data.nodes)) return undefined;
  const nodes: unknown[] = data.nodes;
  if (!nodes.every((n) => isRecord(n) && n.format === 'nodegate-facts/1')) return undefined;
  const facts = nodes as NodeFacts[];
  if (data.format === 'nodegate-snapshot/1') return { format: 'nodegate-snapshot/2', nodes: facts, unobserved: [] };
  if (data.format !== 'nodegate-snapshot/2' || !Array.isArray(data.unobserved)) return undefined;
  const unobserved: unknown[] = data.unobserved;
  if (!unobserved.every(isUnobserved)) return undefined;
  return { format: 'nodegate-snapshot/2', nodes: facts, unobserved: unobserved as UnobservedNode[] };
}
