// A process named kubelet (a copy of sleep) on this machine: tests that audit this machine as a node with a Node
// object that says Ready get the same KUBELET-3.1.4 answer (the probe finds a kubelet, so Ready is not stale)
// whether or not a lab's real kubelet happens to run here at that moment.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Starts it from a copy in `dir`; kill the returned process when done. */
export async function startKubeletNamedProcess(dir: string): Promise<ChildProcess> {
  await copyFile('/bin/sleep', join(dir, 'kubelet'));
  return spawn(join(dir, 'kubelet'), ['600'], { stdio: 'ignore' });
}
