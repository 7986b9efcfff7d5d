// Everything checked before a run starts, shared by the CLI and `vitest run suites/...`: a bad input is exit 2 up front.
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from '../errors.ts';
import { loadSnapshot } from './snapshot.ts';
import { buildProfile } from '../profile/load.ts';
import type { Profile } from '../profile/schema.ts';
import { preflightTarget } from '../target/index.ts';
import { parseTargetSpec } from '../target/parse.ts';
import { preflightCluster } from './cluster.ts';
import type { RunSettings } from './settings.ts';
import { suiteChecks } from './suite-config.ts';

export interface PreparedRun {
  readonly profile: Profile;
  /** The node names the run will report on, in order. */
  readonly nodeNames: readonly string[];
  /** The catalog IDs the run must report a verdict for, on every node. */
  readonly selectedIds: readonly string[];
}

/**
 * Validates a run without reaching any node: profile, targets, node names, snapshot, SSH credentials,
 * known_hosts and the kubeconfig. Throws the UsageError that names what is wrong.
 */
export async function prepareRun(settings: RunSettings): Promise<PreparedRun> {
  const profile = buildProfile(settings.profileLayers);
  const selected = suiteChecks(settings.only, settings.skip);
  if (selected.length === 0) throw new UsageError('--only/--skip leave no check to run', 'select at least one check ID that this release runs');
  // A fleet member with no address has no target to parse: it is reported unobservable with its reason.
  const specs = settings.nodes.filter((node) => node.unreachable === undefined).map((node) => parseTargetSpec(node.target));
  let nodeNames: string[];
  if (settings.snapshot) {
    const snapshot = await loadSnapshot(settings.snapshot);
    nodeNames = [...snapshot.nodes.map((n) => n.node), ...snapshot.unobserved.map((u) => u.node)];
  } else {
    if (settings.nodes.length === 0) throw new UsageError('no node to audit', 'name one with --target, or list nodes: in the config file');
    nodeNames = settings.nodes.map((n) => n.name || profile.node.name);
  }
  const repeated = nodeNames.find((n, i) => nodeNames.indexOf(n) !== i);
  if (repeated) {
    throw new UsageError(`node name "${repeated}" is given to more than one ${settings.snapshot ? 'node of the snapshot' : 'target'}`,
      'give each --target its own --node NAME (it is the expected hostname and the JUnit suite name)');
  }
  // The kubeconfig is loaded (not contacted) here: a missing file or unknown context is exit 2 before any node.
  preflightCluster(settings.cluster, settings.snapshot !== undefined);
  if (settings.saveSnapshot) await writableDirectory(settings.saveSnapshot, '--save-snapshot');
  if (settings.junitFile) await writableDirectory(settings.junitFile, '--junit');
  // Once per distinct transport: every SSH node shares the identity and known_hosts settings.
  const ssh = specs.find((s) => s.kind === 'ssh');
  if (ssh) {
    await preflightTarget(ssh, { identityFile: settings.identityFile, knownHostsFile: settings.knownHostsFile });
  }
  return { profile, nodeNames, selectedIds: selected.map((c) => c.id) };
}

/** Snapshot and JUnit are written after the audit: a path that cannot take them is found before it, not after. */
async function writableDirectory(file: string, flag: string): Promise<void> {
  const dir = dirname(file);
  const refuse = (why: string, cause?: unknown): UsageError =>
    new UsageError(`${flag}: cannot write into ${dir}: ${why}`, 'pass a path in a writable directory', { cause });
  const made = await mkdir(dir, { recursive: true }).then(() => undefined, (cause: unknown) => cause);
  const found = await stat(dir).catch(() => undefined);
  if (!found) throw refuse((made as NodeJS.ErrnoException | undefined)?.code ?? 'it does not exist', made);
  if (!found.isDirectory()) throw refuse('not a directory');
  await access(dir, constants.W_OK).catch((cause: unknown) => {
    throw refuse((cause as NodeJS.ErrnoException).code ?? String(cause), cause);
  });
}
