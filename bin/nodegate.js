#!/usr/bin/env node
// Entry point: runs the TypeScript CLI with Node's type stripping, on the Node that scripts/setup.sh provides.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const modern = major > 22 || (major === 22 && minor >= 12);
const bundledNode = fileURLToPath(new URL('../.tools/node/bin/node', import.meta.url));

function reexec(node, flags) {
  const child = spawnSync(node, [...flags, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
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
  const { run } = await import('../src/cli.ts');
  await run(process.argv.slice(2));
}
