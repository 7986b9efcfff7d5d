#!/usr/bin/env node
// Entry point: runs the TypeScript CLI with Node's type stripping, on the Node that scripts/setup.sh provides.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const modern = major > 22 || (major === 22 && minor >= 12);
const bundledNode = fileURLToPath(new URL('../.tools/node/bin/node', import.meta.url));

/** Exit 4 (nodegate failed), never 1, which a CI gate reads as "not compliant". */
const internalError = 4;
const reportHint = 'this is a bug in nodegate: report it with the command line and this message (README, "Exit codes")';

function reexec(node, flags) {
  const child = spawnSync(node, [...flags, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (child.status !== null) process.exit(child.status);
  // Killed by a signal (or never started): say so, and do not let it read as a verdict.
  const why = child.error ? `cannot start ${node}: ${child.error.message}` : `the audit process was killed by ${child.signal}`;
  process.stderr.write(`nodegate: ${why}\n`);
  process.exit(child.signal === 'SIGINT' ? 130 : internalError);
}

if (!modern) {
  if (!existsSync(bundledNode)) {
    process.stderr.write(`nodegate: Node ${process.versions.node} is too old (need >= 22.12) — run scripts/setup.sh\n`);
    process.exit(2);
  }
  reexec(bundledNode, []);
} else if (!process.features.typescript) {
  reexec(process.execPath, ['--experimental-strip-types', '--no-warnings']);
} else {
  // Node keeps compiled (and type-stripped) modules between runs: a third of a second off every start.
  const { enableCompileCache } = await import('node:module');
  const cache = enableCompileCache?.();
  // Vitest's worker threads read the same variable when they start, so they reuse the cache too.
  if (cache?.directory) process.env.NODE_COMPILE_CACHE ??= cache.directory;
  let run;
  try {
    ({ run } = await import('../src/cli.ts'));
  } catch (cause) {
    // A module that does not load (a broken install or a bad edit) is nodegate's failure, not the node's.
    process.stderr.write(`nodegate: internal error: cannot load nodegate: ${String(cause?.message ?? cause).split('\n')[0]} — ${reportHint}\n`);
    process.exit(internalError);
  }
  await run(process.argv.slice(2));
}
