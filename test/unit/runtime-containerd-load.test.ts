// RT-2.2.1 against the real containerd on this machine (Debian 12's 1.6.20): each crafted config — imports,
// globs, v1/v2 plugin names, unknown versions — is read by nodegate's own probe (both rounds, through the local
// target) and started by the real daemon with a private root, state and socket; the verdict must equal what the
// daemon did: refused with the error text it printed, or started.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeEvaluators } from '../../src/evaluate/runtime/index.ts';
import { gatherFacts } from '../../src/facts/gather.ts';
import { containerdFollowUps } from '../../src/facts/requirements-containerd.ts';
import { cmd } from '../../src/facts/requirements.ts';
import { runcOptionsPath, valueAt } from '../../src/parse/containerd-config.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { openLocal } from '../../src/target/local.ts';

const version = spawnSync('containerd', ['--version'], { encoding: 'utf8' });
const canRun = process.getuid?.() === 0 && version.status === 0 && /\b1\.6\.\d+/.test(version.stdout);
const work = canRun ? mkdtempSync(join(tmpdir(), 'nodegate-ctd-load-')) : join(tmpdir(), 'nodegate-ctd-load-unused');

interface Case {
  readonly name: string;
  /** Files relative to the case directory; "config.toml" is the main file. */
  readonly files: Readonly<Record<string, string>>;
  /** What the real daemon does; asserted too, so a case cannot pass by accident. */
  readonly daemon: 'starts' | 'refuses';
  /** Source of the behaviour (containerd v1.6.20 services/server/config/config.go unless said otherwise). */
  readonly why: string;
}

const cases: readonly Case[] = [
  { name: 'v2 file with full plugin URIs', daemon: 'starts', files: { 'config.toml': 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  snapshotter = "native"\n' }, why: 'ValidateV2: every key has 4 dot-separated parts' },
  { name: 'v2 file with a short plugin key', daemon: 'refuses', files: { 'config.toml': 'version = 2\n[plugins.cri.containerd]\n  snapshotter = "native"\n' }, why: 'ValidateV2: len(strings.Split(p, ".")) < 4 → "invalid plugin key URI"' },
  { name: 'v2 file disabling "cri" by short name', daemon: 'refuses', files: { 'config.toml': 'version = 2\ndisabled_plugins = ["cri"]\n' }, why: 'ValidateV2: disabled_plugins entries are URIs under version 2' },
  { name: 'v1 file (no version) with short names', daemon: 'starts', files: { 'config.toml': 'disabled_plugins = ["cri"]\n[plugins.cri.containerd]\n  snapshotter = "native"\n' }, why: 'ValidateV2 returns nil for version < 2' },
  { name: 'version = 3 on 1.6.20', daemon: 'starts', files: { 'config.toml': "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd]\n  snapshotter = 'native'\n" }, why: 'the `version > 2` refusal arrives in v1.6.32' },
  { name: 'version = 7 on 1.6.20', daemon: 'starts', files: { 'config.toml': 'version = 7\n' }, why: 'no upper bound before v1.6.32' },
  { name: 'import of a missing file', daemon: 'refuses', files: { 'config.toml': 'version = 2\nimports = ["nope.toml"]\n' }, why: 'LoadConfig → loadConfigFile: "failed to load TOML: <path>: open <path>: no such file or directory"' },
  { name: 'relative import with a short plugin key in it', daemon: 'refuses', files: { 'config.toml': 'version = 2\nimports = ["extra.toml"]\n', 'extra.toml': '[plugins.cri]\n' }, why: 'resolveImports: a plain relative path is joined to the importing file\'s directory; ValidateV2 runs on the merged result and names the last file loaded' },
  { name: 'absolute glob import of a drop-in dir', daemon: 'starts', files: { 'config.toml': 'version = 2\nimports = ["@DIR@/conf.d/*.toml"]\n', 'conf.d/10-a.toml': '[plugins."io.containerd.grpc.v1.cri"]\n', 'conf.d/20-b.toml': 'disabled_plugins = ["io.containerd.snapshotter.v1.zfs"]\n', 'conf.d/notes.txt': 'not toml [\n' }, why: 'filepath.Glob matches *.toml only' },
  { name: 'absolute glob import where a match has a short disabled plugin', daemon: 'refuses', files: { 'config.toml': 'version = 2\nimports = ["@DIR@/conf.d/*.toml"]\n', 'conf.d/10-a.toml': 'disabled_plugins = ["overlayfs"]\n' }, why: 'imported lists are appended (WithAppendSlice), then validated' },
  { name: 'relative glob: expanded against containerd\'s cwd (/), not the config dir', daemon: 'starts', files: { 'config.toml': 'version = 2\nimports = ["conf.d/*.toml"]\n', 'conf.d/10-a.toml': '[plugins.cri]\n' }, why: 'before v1.6.29 resolveImports passes a glob to filepath.Glob unresolved; systemd and this test start containerd in /' },
  { name: 'import that sets version 2 over a v1 main file', daemon: 'refuses', files: { 'config.toml': 'imports = ["v2.toml"]\n[plugins.cri]\n', 'v2.toml': 'version = 2\n' }, why: 'mergo WithOverride: the import\'s version replaces the default 1, so the main file\'s short key fails ValidateV2' },
  { name: 'a TOML 1.1 escape (\\e) in a string', daemon: 'refuses', files: { 'config.toml': 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "pause\\e"\n' }, why: 'go-toml v1 knows only TOML 0.5 escapes: "invalid escape sequence: \\e"' },
  { name: 'a local date followed by a comment', daemon: 'starts', files: { 'config.toml': 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  since = 1979-05-27 # note\n' }, why: 'after a space go-toml v1 reads on and accepts it' },
  { name: 'a local date value', daemon: 'refuses', files: { 'config.toml': 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  since = 1979-05-27\n' }, why: 'go-toml v1 wants a time after the date' },
  { name: 'escapes inside literal strings and comments are text', daemon: 'starts', files: { 'config.toml': "version = 2\n# \"\\e\"\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  sandbox_image = 'pause\\e'\n" }, why: 'TOML literal strings have no escapes' },
  { name: 'a main file only go-toml v1 reads (uid = 00) importing a short plugin key', daemon: 'refuses', files: { 'config.toml': 'version = 2\nimports = ["extra.toml"]\n[grpc]\n  uid = 00\n', 'extra.toml': '[plugins.cri]\n' }, why: 'go-toml v1 reads 00 as 0 (containerd-go-toml-v1.ts), so the import is loaded and ValidateV2 refuses its key: the probe must follow the imports of such a file too' },
  { name: 'duplicate table', daemon: 'refuses', files: { 'config.toml': 'version = 2\n[grpc]\n  uid = 0\n[grpc]\n  gid = 0\n' }, why: 'go-toml rejects a table defined twice' },
];

/** Write the case with @DIR@ replaced; the main file gets the daemon's private root and state. */
function writeCase(dir: string, c: Case): void {
  for (const [rel, text] of Object.entries(c.files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    const body = text.replaceAll('@DIR@', dir);
    writeFileSync(path, rel === 'config.toml' ? `root = "${dir}/root"\nstate = "${dir}/state"\n${body}` : body);
  }
}

/** Start the real daemon; "started" once its socket exists, else its exit and stderr. */
async function runDaemon(dir: string): Promise<{ started: true } | { started: false; stderr: string }> {
  const address = join(dir, 'd.sock');
  // --address overrides [grpc] address without touching the file under test (applyFlags runs after LoadConfig).
  const child = spawn('containerd', ['--config', join(dir, 'config.toml'), '--address', address, '--root', join(dir, 'root'), '--state', join(dir, 'state')], {
    cwd: '/',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 200 && child.exitCode === null && !existsSync(address); i++) await sleep(50);
  if (child.exitCode === null && existsSync(address)) {
    child.kill('SIGTERM');
    await exited;
    return { started: true };
  }
  await exited;
  return { started: false, stderr };
}

/** RT-2.2.1's verdict over the facts nodegate's probe gathers: round one reads the main file, round two its imports. */
async function observe(dir: string, id = 'RT-2.2.1') {
  const main = join(dir, 'config.toml');
  const facts = await gatherFacts(openLocal(), {
    node: 'ctd-load',
    requests: [
      { kind: 'file', path: main },
      { kind: 'command', name: cmd.containerdVersion, argv: ['containerd', '--version'] },
    ],
    followUps: (round1) => containerdFollowUps(round1, main),
  });
  const profile = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, configPath: main } });
  return runtimeEvaluators[id]!(facts, profile);
}

describe.skipIf(!canRun)(`RT-2.2.1 equals what the real ${canRun ? version.stdout.trim() : 'containerd 1.6'} does with the file (root)`, () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  for (const [i, c] of cases.entries()) {
    it(`${c.name} — ${c.why}`, async () => {
      const dir = join(work, `case${i}`);
      writeCase(dir, c);
      const [daemon, verdict] = await Promise.all([runDaemon(dir), observe(dir)]);
      const printed = daemon.started ? '' : (daemon.stderr.trim().split('\n').filter((l) => l.startsWith('containerd: ')).pop() ?? daemon.stderr.trim());
      expect(daemon.started ? 'starts' : 'refuses', printed).toBe(c.daemon);
      expect(verdict.status, verdict.message).toBe(daemon.started ? 'pass' : 'fail');
      // Loader refusals carry containerd's own words; TOML syntax is explained by nodegate's parser instead.
      const said = verdict.actual.startsWith('refused: ') ? `containerd: ${verdict.actual.slice('refused: '.length)}` : undefined;
      // trimEnd: go-toml v1 ends its date error with the offending character, here a newline.
      expect((said ?? (c.name === 'duplicate table' || daemon.started ? printed : 'no containerd text')).trimEnd()).toBe(printed.trimEnd());
    }, 20_000);
  }
});

describe.skipIf(!canRun)('RT-2.2.3 equals the SystemdCgroup containerd 1.6 ends up with after imports (`config dump`, root)', () => {
  const main = (dir: string, imports: string) =>
    `version = 2\nimports = [${imports}]\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n`.replaceAll('@DIR@', dir);
  const dumped = (dir: string): unknown => {
    const r = spawnSync('containerd', ['--config', join(dir, 'config.toml'), 'config', 'dump'], { encoding: 'utf8', cwd: '/', timeout: 10_000 });
    expect(r.status, r.stderr).toBe(0);
    return valueAt(parse(r.stdout), [...runcOptionsPath[2], 'SystemdCgroup']);
  };
  it('an import that sets only the registry replaces the whole CRI section: SystemdCgroup falls back to false', async () => {
    // services/server/config/config.go v1.6.20 mergeConfig: `for k, v := range from.Plugins { to.Plugins[k] = v }`.
    const dir = join(work, 'replace');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.toml'), main(dir, '"@DIR@/registry.toml"'));
    writeFileSync(join(dir, 'registry.toml'), '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n');
    expect(dumped(dir)).toBe(false);
    const v = await observe(dir, 'RT-2.2.3');
    expect(v.status, v.message).toBe('fail');
    expect(v.message).toContain('replaces the whole plugin section');
  }, 20_000);
  it('version = 3 on 1.6.20 is read like version 2: the v2 CRI table applies', async () => {
    // services/server/config/config.go v1.6.20 Decode: plugins are looked up by URI for every version but 1.
    const dir = join(work, 'v3-as-v2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.toml'), 'version = 3\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n');
    expect(dumped(dir)).toBe(true);
    expect((await observe(dir, 'RT-2.2.3')).status).toBe('pass');
  }, 20_000);
  it('an import of another plugin leaves the CRI section alone: SystemdCgroup stays true', async () => {
    const dir = join(work, 'other');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.toml'), main(dir, '"@DIR@/gc.toml"'));
    writeFileSync(join(dir, 'gc.toml'), '[plugins."io.containerd.gc.v1.scheduler"]\n  pause_threshold = 0.03\n');
    expect(dumped(dir)).toBe(true);
    expect((await observe(dir, 'RT-2.2.3')).status).toBe('pass');
  }, 20_000);
});

describe.skipIf(!canRun)('RT-2.2.2 equals whether containerd 1.6 loaded its CRI plugin (`ctr plugins ls`, root)', () => {
  /** Start a private daemon with this config and list the CRI plugin's line, or '' when it is not registered. */
  async function criLine(name: string, config: string): Promise<string> {
    const dir = join(work, `cri-${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.toml'), `root = "${dir}/root"\nstate = "${dir}/state"\n${config}`);
    const address = join(dir, 'd.sock');
    const child = spawn('containerd', ['--config', join(dir, 'config.toml'), '--address', address], { cwd: '/', stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      for (let i = 0; i < 200 && child.exitCode === null && !existsSync(address); i++) await sleep(50);
      const ls = spawnSync('ctr', ['--address', address, 'plugins', 'ls'], { encoding: 'utf8', timeout: 10_000 });
      expect(ls.status, ls.stderr).toBe(0);
      return ls.stdout.split('\n').find((l) => /^io\.containerd\.grpc\.v1\s+cri\s/.test(l)) ?? '';
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }
  it('a version 1 file: "cri" disables it, the URI disables nothing (V1DisabledFilter matches plugin IDs)', async () => {
    // services/server/server.go v1.6.20: `if config.GetVersion() == 1 { filter = srvconfig.V1DisabledFilter }`.
    const cases = [
      { name: 'short', config: 'disabled_plugins = ["cri"]\n', registered: false },
      { name: 'uri', config: 'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n', registered: true },
    ];
    for (const c of cases) {
      const line = await criLine(c.name, c.config);
      expect(line !== '', `${c.name}: ${line}`).toBe(c.registered);
      const dir = join(work, `cri-${c.name}`);
      const profile = profileSchema.parse({ ...defaultProfile, containerd: { ...defaultProfile.containerd, configPath: join(dir, 'config.toml') } });
      const facts = await gatherFacts(openLocal(), {
        node: 'cri',
        requests: [{ kind: 'file', path: join(dir, 'config.toml') }, { kind: 'command', name: cmd.containerdVersion, argv: ['containerd', '--version'] }],
      });
      const v = runtimeEvaluators['RT-2.2.2']!(facts, profile);
      expect(v.status, `${c.name}: ctr plugins ls says ${JSON.stringify(line)}`).toBe(line === '' ? 'fail' : 'pass');
    }
  }, 40_000);
});
