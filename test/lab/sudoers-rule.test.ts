// The sudoers rule nodegate suggests lets exactly its probe through (`sudo -n -- sh -s`) and refuses other sh uses;
// checked with the real sudo in a private mount namespace, as `nobody`, so the host's sudoers never change.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { privilegedShell, sudoersRule } from '../../src/target/privileged.ts';
import { requireLab } from '../support/lab-tier.ts';

const missingHere = process.getuid?.() !== 0
  ? 'needs root (unshare --mount, a bind mount over /etc/sudoers.d)'
  : ['/usr/bin/sudo', '/usr/sbin/visudo', '/usr/bin/unshare', '/usr/bin/setpriv'].filter((b) => !existsSync(b)).map((b) => `${b} is missing`)[0];
// NODEGATE_REQUIRE_LABS turns "cannot run here" into a failure instead of a skip (test/support/lab-tier.ts).
const sudoLab = requireLab('sudoers lab', missingHere === undefined ? { ok: true } : { ok: false, reason: missingHere });
const unavailable = sudoLab.ok ? undefined : sudoLab.reason;

describe.skipIf(unavailable !== undefined)(`the suggested sudoers rule${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ng-sudoers-'));
    cpSync('/etc/sudoers.d', join(dir, 'sudoers.d'), { recursive: true });
    chmodSync(join(dir, 'sudoers.d'), 0o755);
    writeFileSync(join(dir, 'sudoers.d', 'nodegate'), `${sudoersRule('nobody')}\n`, { mode: 0o440 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs `command` as nobody, with stdin, where /etc/sudoers.d is our copy plus the rule. */
  const asNobody = (command: string, stdin: string) => {
    const inner = `mount --bind ${dir}/sudoers.d /etc/sudoers.d && exec setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c "$1"`;
    return spawnSync('unshare', ['--mount', 'sh', '-c', inner, 'ng', command], { input: stdin, encoding: 'utf8', timeout: 30_000 });
  };

  test('visudo accepts it', () => {
    const r = spawnSync('visudo', ['-cf', join(dir, 'sudoers.d', 'nodegate')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  test("nodegate's own privileged shell gets root through it", () => {
    const r = asNobody(privilegedShell, 'id -u\n');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0\n');
  });

  test('sh -c, a bare sh and sh -s with more arguments are refused', () => {
    for (const command of ["sudo -n -- sh -c 'id -u'", 'sudo -n -- sh', 'sudo -n -- sh -s extra']) {
      const r = asNobody(command, 'id -u\n');
      expect(r.status, command).not.toBe(0);
      expect(r.stdout, command).toBe('');
      expect(r.stderr, command).toMatch(/sudo: a password is required/);
    }
  });
});
