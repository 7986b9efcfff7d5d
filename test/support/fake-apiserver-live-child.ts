// A live run in its own process for the SIGINT test: start, create a probe pod, print READY, wait forever on it;
// the parent interrupts it and then looks at the fixture server's store. Args: KUBECONFIG NODE.
import { KubeConfig } from '@kubernetes/client-node';
import { LiveRun } from '../../src/cluster/live/harness.ts';

const [kubeconfig = '', node = 'worker-01'] = process.argv.slice(2);
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const run = new LiveRun(kc, { node, goneTimeoutMs: 5_000 });
await run.start();
await run.createPod({ metadata: { name: 'probe' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] } });
process.stdout.write(`READY ${run.namespace}\n`);
try {
  await run.waitForPod('probe', { timeoutMs: 600_000 });
} catch (err) {
  // The interrupt aborts the wait; the signal handler cleans up and exits with 130.
  process.stdout.write(`WAIT ENDED ${err instanceof Error ? err.name : String(err)}\n`);
}
