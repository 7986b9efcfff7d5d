// Secrets stay on the node, end to end: the real CLI probes this machine with a containerd config and a kubelet
// drop-in that carry a registry password and a proxy password, and neither reaches the snapshot, JUnit or console.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, type CliResult } from '../support/cli.ts';
import type { Snapshot } from '../../src/run/snapshot.ts';

const secrets = ['robot-user-7781', 'RegPass-9f3k2', 'aWRlbnRpdHktdG9rZW4tMzM=', 'proxyuser:ProxyPass-55aa', 'ProxyPass-55aa'];
const token = (value: string): string => `<redacted sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}>`;
const proxy = 'http://proxyuser:ProxyPass-55aa@proxy.corp:3128';
const root = process.getuid?.() === 0;

let dir: string;
let run: CliResult;
let snapshot: string;
let junit: string;

beforeAll(async () => {
  if (!root) return;
  dir = await mkdtemp(join(tmpdir(), 'ng-secrets-'));
  await writeFile(
    join(dir, 'config.toml'),
    [
      'version = 2',
      '[plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example.com".auth]',
      '  username = "robot-user-7781"',
      '  password = "RegPass-9f3k2"',
      '  identitytoken = "aWRlbnRpdHktdG9rZW4tMzM="',
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      '  runtime_type = "io.containerd.runc.v2"',
      '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
      '    SystemdCgroup = true',
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'http-proxy.conf'), `[Service]\nEnvironment="HTTPS_PROXY=${proxy}"\n`);
  await writeFile(join(dir, 'profile.yaml'), `containerd:\n  configPath: ${dir}/config.toml\nkubelet:\n  hardeningDropIn: ${dir}/http-proxy.conf\n`);
  snapshot = join(dir, 'out', 'snapshot.json');
  junit = join(dir, 'out', 'junit.xml');
  run = await runCli(['--target', 'local', '--profile', join(dir, 'profile.yaml'), '--save-snapshot', snapshot, '--junit', junit], { timeoutMs: 120_000 });
}, 150_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!root)(`a local audit of files that hold credentials${root ? '' : ' (skipped: the local target reads as root; run as root)'}`, () => {
  test('the run completed with a verdict for the config (RT-2.2.1 passes the redacted file)', () => {
    expect(run.exitCode, run.stderr).toBeOneOf([0, 1]);
    expect(run.stdout).toMatch(/PASS\s+RT-2\.2\.1/);
    expect(run.stdout).toMatch(/PASS\s+RT-2\.2\.3/);
  });

  test('the snapshot holds the files, each credential replaced by the hash token of its value', async () => {
    const saved = JSON.parse(await readFile(snapshot, 'utf8')) as Snapshot;
    const files = saved.nodes[0]?.files ?? {};
    const config = files[`${dir}/config.toml`];
    const dropIn = files[`${dir}/http-proxy.conf`];
    expect(config).toMatchObject({ state: 'present', content: expect.stringContaining(`  password = "${token('RegPass-9f3k2')}"`) });
    expect(dropIn).toMatchObject({ state: 'present', content: `[Service]\nEnvironment="HTTPS_PROXY=${token(proxy)}"\n` });
  });

  test('no secret value appears in the snapshot, the JUnit file, stdout or stderr', async () => {
    const outputs = { snapshot: await readFile(snapshot, 'utf8'), junit: await readFile(junit, 'utf8'), stdout: run.stdout, stderr: run.stderr };
    for (const [where, text] of Object.entries(outputs)) {
      for (const s of secrets) expect({ where, leaked: text.includes(s) ? s : null }).toEqual({ where, leaked: null });
    }
  });
});
