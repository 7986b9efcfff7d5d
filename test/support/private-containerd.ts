// A private containerd daemon for tests that need the real one: its own root, state and socket under a directory
// the test owns, the CRI plugin off, so nothing touches the machine's own containerd.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PrivateContainerd {
  readonly socket: string;
  /** SIGTERM, then waits for the daemon to exit. */
  stop(): Promise<void>;
}

/** Starts containerd with everything under `dir` and waits (5 s at most) for its socket. */
export async function startPrivateContainerd(dir: string): Promise<PrivateContainerd> {
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'containerd.sock');
  const config = join(dir, 'containerd.toml');
  writeFileSync(
    config,
    `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${socket}"\n[ttrpc]\n  address = "${socket}.ttrpc"\n`,
  );
  const daemon = spawn('containerd', ['--config', config], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(50);
  const stop = async (): Promise<void> => {
    if (daemon.exitCode !== null) return;
    const exited = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  };
  if (!existsSync(socket)) {
    await stop();
    throw new Error('the private containerd did not create its socket within 5 s');
  }
  return { socket, stop };
}
