// The CLI end to end with no node: replaying the recorded lab snapshot gives the same verdicts, JUnit and exit codes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { catalog } from '../../src/catalog/index.ts';
import { suiteChecks } from '../../src/run/suite-config.ts';
import { runCli, repoRoot } from '../support/cli.ts';
import { readJUnit } from '../support/junit-read.ts';

const snapshot = join(repoRoot, 'fixtures/snapshots/lab-drifted.json');
const skipKubelet = catalog.filter((c) => c.id.startsWith('KUBELET-')).map((c) => c.id);
const xsd = join(repoRoot, 'fixtures/artifacts/junit/junit-10.xsd');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ng-cli-'));
});

describe('nodegate --snapshot (the README demo)', () => {
  test('the demo node fails exactly its drifts plus what its host shares, with JUnit that validates', async () => {
    const junit = join(dir, 'demo.xml');
    const r = await runCli(['--snapshot', snapshot, '--skip', 'KUBELET', '--junit', junit]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/GATE FAILED/);
    const cases = readJUnit(await readFile(junit, 'utf8'));
    expect(cases).toHaveLength(suiteChecks([], skipKubelet).length);
    const with_ = (s: string) => cases.filter((c) => c.status === s).map((c) => c.id).sort();
    // The drifts of fixtures/lab/demo-drifted, and what the lab node shares with its host (Debian 12's containerd 1.6
    // and runc 1.1, the host's kernel.* values, its missing AppArmor); RT-2.1.1 cannot be observed without systemd,
    // RT-2.2.4 without a kubelet (the lab node runs none, so the kubelet suite is skipped here).
    expect(with_('fail')).toEqual(['HOST-1.2.2', 'HOST-1.4.4', 'HOST-1.4.5', 'RT-2.1.3', 'RT-2.1.4', 'RT-2.3.1', 'SEC-4.1.2']);
    expect(with_('error')).toEqual(['RT-2.1.1', 'RT-2.2.4']);
    expect(cases.find((c) => c.id === 'HOST-1.2.2')?.message).toMatch(/\/etc\/fstab line 12 .*Remediation: /);
    if (existsSync(xsd)) execFileSync('xmllint', ['--noout', '--schema', xsd, junit], { stdio: 'pipe' });
  });

  test('--junit-properties element puts the eight properties inside each testcase', async () => {
    const junit = join(dir, 'element.xml');
    const r = await runCli(['--snapshot', snapshot, '--only', 'RT-2.3.1', '--junit', junit, '--junit-properties', 'element']);
    expect(r.exitCode).toBe(1);
    const xml = await readFile(junit, 'utf8');
    const testcase = xml.slice(xml.indexOf('<testcase'));
    for (const name of ['id', 'threat', 'level', 'cis', 'node', 'source', 'expected', 'actual']) {
      expect(testcase).toContain(`<property name="${name}"`);
    }
    expect(testcase).toContain('<property name="actual" value="socket, mode 0666"/>');
  });

  test('--only narrows the run, and passing checks alone exit 0', async () => {
    const r = await runCli(['--snapshot', snapshot, '--only', 'HOST-1.1.1,RT-2.2.3']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/PASS\s+HOST-1\.1\.1/);
    expect(r.stdout).toMatch(/PASS\s+RT-2\.2\.3/);
    expect(r.stdout).not.toMatch(/HOST-1\.2\.2/);
    expect(r.stdout).toMatch(/2 passed, 0 failed, 0 errors, 0 skipped/);
  });

  test('--skip drops checks until the gate passes; a blank NODEGATE_* variable counts as unset', async () => {
    const blank = await runCli(['--snapshot', snapshot, '--only', 'HOST-1.1.3'], { env: { NODEGATE_PROFILE: '', NODEGATE_JUNIT: '' } });
    expect(blank.exitCode).toBe(0);
    const skipped = await runCli(['--snapshot', snapshot, '--skip', 'KUBELET,HOST-1.2.2,HOST-1.4.4,HOST-1.4.5,RT-2.1.3,RT-2.1.4,RT-2.3.1,RT-2.1.1,RT-2.2.4,SEC-4.1.2']);
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stdout).toMatch(/GATE PASSED/);
  });

  test('a profile override changes the expectation: Ubuntu-only OS list makes the advisory fail under --strict', async () => {
    const profile = join(dir, 'debian-only.yaml');
    await (await import('node:fs/promises')).writeFile(profile, 'os:\n  supported:\n    - { id: debian, versionId: "12" }\n');
    const lenient = await runCli(['--snapshot', snapshot, '--only', 'HOST-1.1.4', '--profile', profile]);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.stdout).toMatch(/FAIL\s+HOST-1\.1\.4/);
    const strict = await runCli(['--snapshot', snapshot, '--only', 'HOST-1.1.4', '--profile', profile, '--strict']);
    expect(strict.exitCode).toBe(1);
  });

  test('--save-snapshot of a replay round-trips the same facts', async () => {
    const again = join(dir, 'again.json');
    const r = await runCli(['--snapshot', snapshot, '--only', 'HOST-1.1.3', '--save-snapshot', again]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(again)).toBe(false); // replay saves nothing: there is nothing new to save
  });

  test('`vitest run suites/host` takes the same settings from NODEGATE_* variables', async () => {
    const junit = join(dir, 'vitest-host.xml');
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', 'suites/host'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1', NODEGATE_SNAPSHOT: snapshot, NODEGATE_JUNIT: junit, NODEGATE_SKIP: 'HOST-1.4.5' },
    });
    expect(r.status).toBe(1); // Vitest's own exit code: failing tests
    const cases = readJUnit(await readFile(junit, 'utf8'));
    expect(cases.every((c) => c.suite === 'worker-01 host')).toBe(true);
    expect(cases.filter((c) => c.status === 'fail').map((c) => c.id).sort()).toEqual(['HOST-1.2.2', 'HOST-1.4.4']);
    expect(cases.map((c) => c.id)).not.toContain('HOST-1.4.5');
  });
});
