// The probe script over a real file tree: byte-exact contents, stat fields, and no way for values to escape quoting.
import { mkdtemp, mkdir, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileProbe } from '../../src/facts/probe-script.ts';
import { parseProbeOutput } from '../../src/facts/probe-parse.ts';
import type { ProbeRequest } from '../../src/facts/requirements.ts';

let dir: string;
let server: Server;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-probe-'));
  await writeFile(join(dir, 'no-newline'), 'a = 1');
  await writeFile(join(dir, 'trailing'), 'x\n\n');
  await writeFile(join(dir, 'forged'), '\n@@nodegate-FAKE F /etc/passwd\nmissing\n');
  await writeFile(join(dir, "it's $(touch pwned)"), 'quoted\n');
  await writeFile(join(dir, 'secret'), 'token: hunter2\n');
  await chmod(join(dir, 'secret'), 0o600);
  await mkdir(join(dir, 'conf.d'));
  await writeFile(join(dir, 'conf.d', '10-a.conf'), 'k = 1\n');
  await writeFile(join(dir, 'conf.d', 'ignored.txt'), 'no\n');
  await symlink('/dev/null', join(dir, 'conf.d', '20-masked.conf'));
  await symlink('../no-newline', join(dir, 'conf.d', '30-link.conf'));
  server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
  await chmod(join(dir, 'sock'), 0o660);
});

afterAll(async () => {
  server?.close();
  await rm(dir, { recursive: true, force: true });
});

function probe(requests: ProbeRequest[]) {
  const script = compileProbe(requests, 'abcdef0123456789');
  const out = execFileSync('sh', ['-s'], { input: script.text, encoding: 'utf8', cwd: dir });
  return parseProbeOutput(out, script);
}

describe('probe script', () => {
  test('file contents come back byte for byte, with or without a final newline', () => {
    const facts = probe([
      { kind: 'file', path: join(dir, 'no-newline') },
      { kind: 'file', path: join(dir, 'trailing') },
      { kind: 'file', path: join(dir, 'missing') },
    ]);
    expect(facts.files[join(dir, 'no-newline')]).toMatchObject({ state: 'present', type: 'file', content: 'a = 1', size: 5 });
    expect(facts.files[join(dir, 'trailing')]).toMatchObject({ content: 'x\n\n' });
    expect(facts.files[join(dir, 'missing')]).toEqual({ state: 'missing' });
  });

  test('a file cannot forge a record: the marker carries a nonce', () => {
    const facts = probe([{ kind: 'file', path: join(dir, 'forged') }]);
    expect(facts.files[join(dir, 'forged')]).toMatchObject({ content: '\n@@nodegate-FAKE F /etc/passwd\nmissing\n' });
    expect(facts.files['/etc/passwd']).toBeUndefined();
  });

  test('paths with quotes and command substitutions are data, not shell', () => {
    const path = join(dir, "it's $(touch pwned)");
    const facts = probe([{ kind: 'file', path }]);
    expect(facts.files[path]).toMatchObject({ content: 'quoted\n' });
    expect(() => execFileSync('test', ['-e', join(dir, 'pwned')])).toThrow();
  });

  test('secret files are hashed, never read back', () => {
    const facts = probe([{ kind: 'file', path: join(dir, 'secret'), secret: true }]);
    const fact = facts.files[join(dir, 'secret')];
    expect(fact).toMatchObject({ state: 'present', mode: 0o600 });
    expect(fact && 'content' in fact ? fact.content : undefined).toBeUndefined();
    expect(fact && 'sha256' in fact ? fact.sha256 : '').toMatch(/^[0-9a-f]{64}$/);
  });

  test('a socket is stat-ed with its mode and owner', () => {
    const facts = probe([{ kind: 'stat', path: join(dir, 'sock') }]);
    expect(facts.files[join(dir, 'sock')]).toMatchObject({ state: 'present', type: 'socket', mode: 0o660, uid: 0, gid: 0 });
  });

  test('a directory listing reads every matching entry and keeps symlink targets', () => {
    const d = join(dir, 'conf.d');
    const facts = probe([{ kind: 'dir', path: d, glob: '*.conf' }]);
    expect(facts.dirs[d]).toEqual({ state: 'present', entries: ['10-a.conf', '20-masked.conf', '30-link.conf'] });
    expect(facts.files[join(d, '10-a.conf')]).toMatchObject({ content: 'k = 1\n' });
    expect(facts.files[join(d, '20-masked.conf')]).toMatchObject({ type: 'other', linkTarget: '/dev/null' });
    expect(facts.files[join(d, '30-link.conf')]).toMatchObject({ linkTarget: '../no-newline', content: 'a = 1' });
  });

  test('commands report exit code, stdout and stderr; a missing program is not-found', () => {
    const facts = probe([
      { kind: 'command', name: 'fails', argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] },
      { kind: 'command', name: 'absent', argv: ['no-such-program-nodegate'] },
      { kind: 'command', name: 'slow', argv: ['sleep', '5'], timeoutSeconds: 1 },
    ]);
    expect(facts.commands.fails).toEqual({ state: 'ran', exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(facts.commands.absent).toMatchObject({ state: 'not-found' });
    expect(facts.commands.slow).toEqual({ state: 'timeout' });
  });

  test('systemd-only commands are recorded as skipped where systemd is not PID 1', () => {
    const facts = probe([{ kind: 'command', name: 'units', argv: ['systemctl', 'list-units'], needsSystemd: true }]);
    const systemd = execFileSync('sh', ['-c', 'test -d /run/systemd/system && echo yes || echo no'], { encoding: 'utf8' }).trim();
    if (systemd === 'no') expect(facts.commands.units).toMatchObject({ state: 'skipped' });
    else expect(facts.commands.units).toMatchObject({ state: 'ran' });
  });

  test('sysctls are read from /proc/sys; an absent key is missing', () => {
    const facts = probe([
      { kind: 'sysctl', key: 'kernel.ostype' },
      { kind: 'sysctl', key: 'net.nodegate.no_such_key' },
    ]);
    expect(facts.sysctls['kernel.ostype']).toEqual({ state: 'present', value: 'Linux' });
    expect(facts.sysctls['net.nodegate.no_such_key']).toEqual({ state: 'missing' });
  });

  test('unsafe sysctl keys and globs are refused before any script exists', () => {
    expect(() => compileProbe([{ kind: 'sysctl', key: 'a;reboot' }], 'abcdef0123456789')).toThrow(/not a sysctl key/);
    expect(() => compileProbe([{ kind: 'dir', path: '/etc', glob: '*;reboot' }], 'abcdef0123456789')).toThrow(/unsafe glob/);
  });
});
