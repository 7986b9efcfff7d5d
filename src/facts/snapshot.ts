// Saves gathered facts to a file and replays them, so a node can be audited again with no node at all.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.ts';
import type { NodeFacts } from './types.ts';

export interface Snapshot {
  readonly format: 'nodegate-snapshot/1';
  readonly nodes: readonly NodeFacts[];
}

export async function saveSnapshot(file: string, nodes: readonly NodeFacts[]): Promise<void> {
  const snapshot: Snapshot = { format: 'nodegate-snapshot/1', nodes };
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(snapshot, null, 1)}\n`, { mode: 0o600 });
  await rename(temp, file);
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
  if (!isSnapshot(data)) {
    throw new UsageError(`snapshot ${file} is not a nodegate snapshot (expected "format": "nodegate-snapshot/1" and a "nodes" list)`, 'pass a file written by --save-snapshot');
  }
  return data;
}

function isSnapshot(data: unknown): data is Snapshot {
  if (typeof data !== 'object' || data === null) return false;
  const s = data as Record<string, unknown>;
  return (
    s.format === 'nodegate-snapshot/1' &&
    Array.isArray(s.nodes) &&
    s.nodes.every((n: unknown) => typeof n === 'object' && n !== null && (n as Record<string, unknown>).format === 'nodegate-facts/1')
  );
}
