// Re-records fixtures/snapshots/lab-drifted.json: the README's demo, real facts gathered over SSH from a lab node.
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { labAvailable, startLab } from '../test/support/netns-lab.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
const lab = labAvailable();
if (!lab.ok) {
  console.error(`record-demo-snapshot: ${lab.reason}`);
  process.exit(2);
}
const nodes = await startLab([{ name: 'demo', variant: 'demo-drifted' }]);
try {
  const node = nodes.nodes[0];
  if (!node) throw new Error('lab started no node');
  const r = spawnSync(
    process.execPath,
    ['bin/nodegate.js', '--target', node.target, '--node', 'worker-01', '--identity', node.identityFile, '--known-hosts', node.knownHostsFile,
      '--save-snapshot', 'fixtures/snapshots/lab-drifted.json'],
    { cwd: repo, stdio: 'inherit' },
  );
  console.error(`record-demo-snapshot: audit exited ${r.status}`);
} finally {
  await nodes.stop();
}
