// The probe cannot be forged by what is on the node: a file name or symlink target with a newline and a fake stat
// line, a record nobody asked for, or a temporary directory at a predictable path.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileProbe } from '../../src/facts/probe-script.ts';
import { parseProbeOutput, ProbeOutputError, unsafeNameError } from '../../src/facts/probe-parse.ts';
import { factsFromProbe, gatherFacts } from '../../src/facts/gather.ts';
import { TargetError } from '../../src/errors.ts';
import type { ExecResult, Target } from '../../src/target/types.ts';
import { openLocal } from '../../src/target/local.ts';
import { collectConfDirs } from '../../src/facts/conf-dirs.ts';
import type { ProbeRequest } from '../../src/facts/requirements.ts';

const nonce = 'abcdef0123456789';
let dir: string;
// A real file, and beside it one whose name ends the record header and carries a stat line and content of its own:
// before this fix the parser filed the forged stat line and `net.ipv4.ip_forward = 1` under the real file's path.
const forgedName = '99-real.conf\npresent|regular file|644|0|0|24|\nnet.ipv4.ip_forward = 1\n#.conf';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-forge-'));
  await writeFile(join(dir, '99-real.conf'), 'net.ipv4.ip_forward = 0\n');
  await writeFile(join(dir, forgedName), 'x\n');
  await writeFile(join(dir, 'esc\x1b[31m.conf'), 'y\n');
  await writeFile(join(dir, 'target'), 'z\n');
  await writeFile(join(dir, 'target\nforged'), 'w\n');
  await symlink(join(dir, 'target\nforged'), join(dir, 'link.conf'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(requests: ProbeRequest[], env: NodeJS.ProcessEnv = process.env) {
  const script = compileProbe(requests, nonce);
  const r = spawnSync('sh', ['-s'], { input: script.text, encoding: 'utf8', env });
  return { script, ...r };
}

describe('names on the node cannot forge records', () => {
  test('a listed name with a newline and a fake stat line is an unreadable entry, and the real file keeps its content', () => {
    const { script, stdout } = run([{ kind: 'dir', path: dir, glob: '*.conf' }]);
    const parsed = parseProbeOutput(stdout, script);
    expect(parsed.files[join(dir, '99-real.conf')]).toMatchObject({ state: 'present', content: 'net.ipv4.ip_forward = 0\n' });
    const shown = '99-real.conf?present|regular file|644|0|0|24|?net.ipv4.ip_forward = 1?#.conf';
    expect(parsed.dirs[dir]).toEqual({ state: 'present', entries: ['99-real.conf', 'link.conf', shown, 'esc?[31m.conf'] });
    expect(parsed.files[join(dir, shown)]).toEqual({ state: 'unreadable', error: unsafeNameError });
    expect(parsed.files[join(dir, 'esc?[31m.conf')]).toEqual({ state: 'unreadable', error: unsafeNameError });
    // Nothing else was filed: no phantom entries, no phantom paths.
    expect(Object.keys(parsed.files).sort()).toEqual([join(dir, '99-real.conf'), join(dir, shown), join(dir, 'esc?[31m.conf'), join(dir, 'link.conf')].sort());
  });

  test.skipIf(process.getuid?.() !== 0)('through the real local target (as root), the forged name gives the same facts', async () => {
    const target = openLocal();
    try {
      const facts = await gatherFacts(target, { node: 'n', requests: [{ kind: 'dir', path: dir, glob: '*.conf' }] });
      expect(facts.files[join(dir, '99-real.conf')]).toMatchObject({ state: 'present', content: 'net.ipv4.ip_forward = 0\n' });
      // The two unsafe names, and link.conf, whose symlink target holds a newline.
      const unreadable = Object.entries(facts.files).filter(([, f]) => f.state === 'unreadable').map(([p]) => p.slice(dir.length + 1));
      expect(unreadable.sort()).toEqual(['99-real.conf?present|regular file|644|0|0|24|?net.ipv4.ip_forward = 1?#.conf', 'esc?[31m.conf', 'link.conf']);
    } finally {
      await target.close();
    }
  });

  test('the directory is an error with the name in it, never a pass: the merged sysctl.d view knows it is incomplete', () => {
    const { script, stdout } = run([{ kind: 'dir', path: dir, glob: '*.conf' }]);
    const facts = factsFromProbe(parseProbeOutput(stdout, script), { node: 'n', target: 'local', roundTrips: 1, durationMs: 0 });
    const merged = collectConfDirs(facts, [dir]);
    expect(merged.unknown).toEqual(
      expect.arrayContaining([expect.stringContaining(`${dir}/99-real.conf?present|regular file`), expect.stringContaining('control character')]),
    );
  });

  test('a symlink whose target holds a newline is unreadable, not a stat line plus forged content', () => {
    const { script, stdout } = run([{ kind: 'file', path: join(dir, 'link.conf') }]);
    const parsed = parseProbeOutput(stdout, script);
    expect(parsed.files[join(dir, 'link.conf')]).toEqual({ state: 'unreadable', error: expect.stringContaining('symlink target contains a control character') });
  });

  test('a requested path with a control character is not sent to the node; it is recorded as unreadable', () => {
    const path = join(dir, 'target\nforged');
    const { script, stdout } = run([{ kind: 'file', path }]);
    expect(script.text).not.toContain('target\nforged');
    expect(parseProbeOutput(stdout, script).files[path]).toEqual({ state: 'unreadable', error: expect.stringContaining('control character') });
  });
});

describe('unframable directory requests', () => {
  test('a directory path with a control character is not listed at all, so every check over it is an error', () => {
    const path = join(dir, 'conf\nforged.d');
    const { script, stdout } = run([{ kind: 'dir', path, glob: '*.conf' }]);
    expect(script.text).not.toContain('conf\nforged.d');
    const facts = factsFromProbe(parseProbeOutput(stdout, script), { node: 'n', target: 'local', roundTrips: 1, durationMs: 0 });
    expect(facts.dirs[path]).toBeUndefined();
    expect(collectConfDirs(facts, [path]).unknown).toEqual([`directory ${path} was not listed by the probe`]);
  });
});

describe('the parser accepts only records for what was requested or listed', () => {
  const marker = `@@nodegate-${nonce}`;
  const identity = `\n${marker} I identity\nuid 0\nsystemd no\nsudo no\n`;
  const script = compileProbe(
    [
      { kind: 'file', path: '/etc/hosts' },
      { kind: 'dir', path: '/etc/sysctl.d', glob: '*.conf' },
      { kind: 'command', name: 'hostname', argv: ['hostname'] },
      { kind: 'sysctl', key: 'net.ipv4.ip_forward' },
    ],
    nonce,
  );
  const ok = `${identity}\n${marker} F /etc/hosts\npresent|regular file|644|0|0|0|\n${marker} D /etc/sysctl.d\npresent\na.conf\n\n${marker} F /etc/sysctl.d/a.conf\npresent|regular file|644|0|0|2|\nx\n`;

  test('requested and listed records are accepted', () => {
    const parsed = parseProbeOutput(ok, script);
    expect(parsed.files['/etc/sysctl.d/a.conf']).toMatchObject({ content: 'x\n' });
  });

  test.each([
    ['a file nobody asked for', `\n${marker} F /etc/passwd\nmissing\n`, /F record for "\/etc\/passwd"/],
    ['a file in a listed directory that the listing did not name', `\n${marker} F /etc/sysctl.d/b.conf\nmissing\n`, /F record for "\/etc\/sysctl\.d\/b\.conf"/],
    ['a directory nobody asked for', `\n${marker} D /etc/cron.d\npresent\n`, /D record for "\/etc\/cron\.d"/],
    ['a command nobody ran', `\n${marker} C reboot\n\n${marker} R reboot\nrc 0\n`, /C record for "reboot"/],
    ['a sysctl nobody read', `\n${marker} K kernel.panic\npresent\n0\n`, /K record for "kernel\.panic"/],
    ['a second identity', identity, /unexpected identity record/],
    ['a status without its command', `\n${marker} R hostname\nrc 0\n`, /without its output record/],
  ])('%s makes the whole output untrusted', (_what, extra, message) => {
    expect(() => parseProbeOutput(ok + extra, script)).toThrow(ProbeOutputError);
    expect(() => parseProbeOutput(ok + extra, script)).toThrow(message);
  });
});

describe('the temporary directory', () => {
  test('when mktemp -d fails the probe stops with an error: no predictable fallback path as root', () => {
    // TMPDIR pointing nowhere makes GNU mktemp -d fail, as a full or read-only /tmp would.
    const { script, stdout, stderr, status } = run([{ kind: 'file', path: '/etc/hostname' }], { ...process.env, TMPDIR: join(dir, 'no-such-dir') });
    expect(status).toBe(97);
    expect(stderr).toMatch(/mktemp -d failed, refusing a predictable temporary directory/);
    expect(() => parseProbeOutput(stdout, script)).toThrow(/no identity record/);
    expect(script.text).not.toMatch(/\/tmp\/nodegate\./);
  });

  test('the script as compiled has no fallback and removes its directory on exit', () => {
    const { script } = run([]);
    expect(script.text).toMatch(/T=\$\(mktemp -d 2>\/dev\/null\)\n/);
    expect(script.text).toMatch(/trap 'rm -rf "\$T"' EXIT/);
    expect(execFileSync('sh', ['-n'], { input: script.text })).toBeDefined();
  });
});

/** A target that runs the probe with this machine's sh, in an environment of the test's choosing, then lets the test alter the output. */
function shTarget(env: NodeJS.ProcessEnv, alter: (stdout: string) => string = (o) => o): Target {
  let trips = 0;
  return {
    label: 'local-test',
    get roundTrips() {
      return trips;
    },
    async exec(command: string, options): Promise<ExecResult> {
      trips++;
      const r = spawnSync('sh', ['-c', command], { input: options.stdin, encoding: 'utf8', env });
      return { stdout: alter(r.stdout), stderr: r.stderr, exitCode: r.status ?? -1 };
    },
    async close() {},
  };
}

describe('gathering fails closed, naming why', () => {
  test('mktemp -d failing on the node is a probe-failed TargetError (exit 3), not facts', async () => {
    const target = shTarget({ ...process.env, TMPDIR: join(dir, 'no-such-dir') });
    const gathered = gatherFacts(target, { node: 'n', requests: [{ kind: 'file', path: '/etc/hostname' }] });
    await expect(gathered).rejects.toBeInstanceOf(TargetError);
    await expect(gathered).rejects.toThrow(/exit 97: nodegate probe: mktemp -d failed/);
  });

  test('output carrying a record nobody requested is a probe-failed TargetError that names the record', async () => {
    // As if something on the node had learned the nonce and appended a record: the parser still refuses it.
    const target = shTarget(process.env, (out) => {
      const marker = /^NG=(\S+)/m.exec(out)?.[1] ?? /\n(@@nodegate-[0-9a-f]+) I identity/.exec(out)?.[1] ?? '';
      return `${out}\n${marker} F /etc/passwd\nmissing\n`;
    });
    const gathered = gatherFacts(target, { node: 'n', requests: [{ kind: 'file', path: '/etc/hostname' }] });
    await expect(gathered).rejects.toThrow(/F record for "\/etc\/passwd", which was neither requested nor listed/);
  });
});
