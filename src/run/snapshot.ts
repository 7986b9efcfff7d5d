// Saves gathered facts to a file and replays them, so a node can be audited again with no node at all.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseClusterFacts } from '../cluster/facts-schema.ts';
import type { ClusterFacts } from '../cluster/types.ts';
import { UsageError } from '../errors.ts';
import { redactCommandOutput, redactFileContent } from '../facts/redact.ts';
import type { CommandFact, FileFact, NodeFacts } from '../facts/types.ts';

/** A node the live run could not observe, kept so a replay reaches the same gate (exit 3) as the run it records. */
export interface UnobservedNode {
  readonly node: string;
  readonly target: string;
  readonly failure: string;
  readonly message: string;
}

/**
 * Format 2 adds `unobserved`, format 3 `cluster` (what the Kubernetes API said about each node). A format-1 file
 * (facts only) and a format-2 file still replay; each new format is a new name so an older nodegate refuses a
 * file whose additions it would silently drop. A run that read no cluster still writes format 2.
 */
export interface Snapshot {
  readonly format: 'nodegate-snapshot/3';
  readonly nodes: readonly NodeFacts[];
  readonly unobserved: readonly UnobservedNode[];
  /** One entry per node whose cluster facts were read; empty when the run read no cluster. */
  readonly cluster: readonly ClusterFacts[];
}

export async function saveSnapshot(file: string, nodes: readonly NodeFacts[], unobserved: readonly UnobservedNode[] = [], cluster: readonly ClusterFacts[] = []): Promise<void> {
  const snapshot = cluster.length > 0 ? { format: 'nodegate-snapshot/3', nodes, unobserved, cluster } : { format: 'nodegate-snapshot/2', nodes, unobserved };
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
    throw new UsageError(`snapshot ${file} is not a nodegate snapshot (expected "format": "nodegate-snapshot/1", "/2" or "/3" and a "nodes" list)`, 'pass a file written by --save-snapshot');
  }
  snapshot.nodes.forEach((facts, i) => {
    const wrong = misshapen(facts);
    if (wrong) throw new UsageError(`snapshot ${file}: nodes[${i}] ${wrong}`, 'pass a file written by --save-snapshot, unedited');
  });
  const cluster: ClusterFacts[] = [];
  const data3 = isRecord(data) && data.format === 'nodegate-snapshot/3' ? data.cluster : [];
  const rawCluster: unknown[] = Array.isArray(data3) ? data3 : [];
  rawCluster.forEach((c, i) => {
    const parsed = parseClusterFacts(c, `snapshot ${file}: cluster[${i}]`);
    if (!parsed.ok) throw new UsageError(parsed.error, 'pass a file written by --save-snapshot, unedited');
    cluster.push(parsed.facts);
  });
  const repeated = cluster.find((c, i) => cluster.findIndex((d) => d.node === c.node) !== i);
  if (repeated) throw new UsageError(`snapshot ${file}: cluster facts of node "${repeated.node}" are recorded twice`, 'pass a file written by --save-snapshot, unedited');
  if (snapshot.nodes.length === 0 && snapshot.unobserved.length === 0) {
    throw new UsageError(`snapshot ${file} holds no node: replaying it would audit nothing`, 'pass a file written by --save-snapshot from a run that reached at least one node');
  }
  return { format: 'nodegate-snapshot/3', ...snapshot, nodes: snapshot.nodes.map(redacted), cluster };
}

/**
 * The facts with the runner's redaction applied again: a snapshot written before a credential was known to be one
 * (or by hand) replays without it. Redaction is idempotent, so a current snapshot loads unchanged.
 */
function redacted(facts: NodeFacts): NodeFacts {
  // Entries are not validated here (see misshapen): one that is not what its type says is passed on untouched,
  // for the check that reads it to report.
  const text = (v: unknown): v is string => typeof v === 'string';
  const files = Object.fromEntries(
    Object.entries(facts.files).map(([path, f]): [string, FileFact] => [path, f?.state === 'present' && text(f.content) ? { ...f, content: redactFileContent(path, f.content) } : f]),
  );
  const commands = Object.fromEntries(
    Object.entries(facts.commands).map(([name, c]): [string, CommandFact] => {
      if (c?.state === 'ran' && text(c.stdout) && text(c.stderr)) return [name, { ...c, stdout: redactCommandOutput(c.stdout), stderr: redactCommandOutput(c.stderr) }];
      if (c?.state === 'not-found' && text(c.stderr)) return [name, { ...c, stderr: redactCommandOutput(c.stderr) }];
      return [name, c];
    }),
  );
  return { ...facts, files, commands };
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

type NodeParts = Omit<Snapshot, 'format' | 'cluster'>;

/** The node part of any format (the cluster part is validated by its own schema); undefined when the data is none. */
function asSnapshot(data: unknown): NodeParts | undefined {
  if (!isRecord(data) || !Array.isArray(data.nodes)) return undefined;
  const nodes: unknown[] = data.nodes;
  if (!nodes.every((n) => isRecord(n) && n.format === 'nodegate-facts/1')) return undefined;
  const facts = nodes as NodeFacts[];
  if (data.format === 'nodegate-snapshot/1') return { nodes: facts, unobserved: [] };
  if (data.format !== 'nodegate-snapshot/2' && data.format !== 'nodegate-snapshot/3') return undefined;
  if (!Array.isArray(data.unobserved)) return undefined;
  if (data.format === 'nodegate-snapshot/3' && !Array.isArray(data.cluster)) return undefined;
  const unobserved: unknown[] = data.unobserved;
  if (!unobserved.every(isUnobserved)) return undefined;
  return { nodes: facts, unobserved: unobserved as UnobservedNode[] };
}
