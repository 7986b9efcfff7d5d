// NodegateReporter inside a real, programmatic Vitest run: the metas tests attach reach the JUnit file and outcome.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVitest, type Reporter } from 'vitest/node';
import { NodegateReporter } from '../../reporters/nodegate-reporter.ts';
import { ExitCode } from '../../src/errors.ts';
import type { CheckMeta } from '../../src/run/meta.ts';

const xsd = fileURLToPath(new URL('../../fixtures/artifacts/junit/junit-10.xsd', import.meta.url));
const haveXmllint = existsSync(xsd) && spawnSync('xmllint', ['--version']).status === 0;

const base: Omit<CheckMeta, 'id' | 'status'> = {
  title: 'No swap is active',
  area: 'host',
  threat: 'resource-exhaustion',
  level: 'required',
  cis: '',
  remediation: 'Turn swap off: `swapoff -a`.',
  node: 'worker-01',
  expected: 'no active swap',
  actual: 'no active swap',
  source: '/proc/swaps',
  message: '',
  unobservable: false,
};

// Globals keep the temp file free of imports, so it runs outside the repo with nothing to resolve.
const suiteSource = `
const base = ${JSON.stringify(base)};
test('HOST-1.1.1', ({ task }) => {
  task.meta.nodegate = { ...base, id: 'HOST-1.1.1', title: 'Hostname matches', threat: 'availability', status: 'pass' };
});
test('HOST-1.2.1', ({ task }) => {
  task.meta.nodegate = { ...base, id: 'HOST-1.2.1', status: 'fail', actual: '/swap.img', message: 'swap is on' };
  throw new Error('HOST-1.2.1: expected no active swap, found /swap.img');
});
test('RT-2.1.1', ({ task, skip }) => {
  task.meta.nodegate = { ...base, id: 'RT-2.1.1', area: 'runtime', threat: 'availability', status: 'skip' };
  skip('containerd is not installed');
});
test('HOST-1.1.2', ({ task }) => {
  task.meta.nodegate = { ...base, id: 'HOST-1.1.2', threat: 'availability', status: 'pass' };
  throw new Error('bug after the verdict');
});
test('a helper test without a verdict', () => {});
`;


/** Runs the suites under DIR in an inner Vitest, one worker; the outer process keeps its own exit code. */
async function runInnerVitest(dir: string, options: { reporters: Reporter[]; pool?: 'forks' }): Promise<void> {
  const exitCode = process.exitCode;
  const vitest = await startVitest([], { root: dir, config: false, watch: false, globals: true, include: ['suites/**/*.test.ts'], maxWorkers: 1, ...options });
  await vitest.close();
  // startVitest marks the process failed because the inner run has failing tests; that is not ours.
  process.exitCode = exitCode;
}

describe('NodegateReporter in a programmatic Vitest run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodegate-reporter-'));
  const junitFile = join(dir, 'out', 'deep', 'nodegate.xml');
  const reporter = new NodegateReporter({ junitFile, strict: false, color: false, write: (t) => summary.push(t) });
  const summary: string[] = [];
  // Same run, told which verdicts it owes: one that no test gave (a check whose test never ran) is a run error.
  const owed = new NodegateReporter({ strict: false, color: false, write: () => {}, expected: { nodes: ['worker-01', 'worker-02'], ids: ['HOST-1.1.1', 'HOST-1.4.1'] } });

  beforeAll(async () => {
    mkdirSync(join(dir, 'suites'));
    writeFileSync(join(dir, 'suites', 'host.test.ts'), suiteSource);
    writeFileSync(join(dir, 'suites', 'broken.test.ts'), "throw new Error('suite cannot load');\n");
    await runInnerVitest(dir, { reporters: [reporter, owed] });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the metas in run order, reconciled with how each test ended', () => {
    expect(reporter.lastMetas.map((m) => [m.id, m.status])).toEqual([
      ['HOST-1.1.1', 'pass'],
      ['HOST-1.2.1', 'fail'],
      ['RT-2.1.1', 'skip'],
      ['HOST-1.1.2', 'error'],
    ]);
    expect(reporter.lastMetas[2]?.message).toBe('containerd is not installed');
    expect(reporter.lastMetas[3]?.message).toBe('the test failed after recording a "pass" verdict: bug after the verdict');
  });

  it('decides the outcome: a suite file that did not load makes the audit incomplete (exit 4), never a pass or a plain fail', () => {
    expect(reporter.lastOutcome?.exitCode).toBe(ExitCode.internal);
    expect(reporter.lastOutcome?.reason).toBe('the audit did not complete, 1 run error (some selected checks never reported): suites/broken.test.ts: suite cannot load');
  });

  it('names every owed verdict that never arrived, per node', () => {
    expect(owed.lastRunErrors).toEqual([
      'suites/broken.test.ts: suite cannot load',
      'worker-01: 1 selected check never reported a verdict: HOST-1.4.1',
      'worker-02: 2 selected checks never reported a verdict: HOST-1.1.1, HOST-1.4.1',
    ]);
    expect(owed.lastOutcome?.exitCode).toBe(ExitCode.internal);
    // Each hole is an error verdict too, so a CI reading only the JUnit file sees it.
    expect(owed.lastMetas.filter((m) => m.actual === 'none: the check never reported').map((m) => [m.node, m.id, m.status, m.title])).toEqual([
      ['worker-01', 'HOST-1.4.1', 'error', 'Bridged IPv4 traffic goes through iptables'],
      ['worker-02', 'HOST-1.1.1', 'error', 'Hostname matches the node name'],
      ['worker-02', 'HOST-1.4.1', 'error', 'Bridged IPv4 traffic goes through iptables'],
    ]);
  });

  it('treats a suite file that did not load as a run error: its checks never reported', () => {
    expect(reporter.lastRunErrors).toEqual(['suites/broken.test.ts: suite cannot load']);
  });

  it('writes the JUnit file atomically into a directory it created', () => {
    expect(existsSync(junitFile)).toBe(true);
    expect(readdirSync(join(dir, 'out', 'deep'))).toEqual(['nodegate.xml']);
    const xml = readFileSync(junitFile, 'utf8');
    expect(xml).toMatch(/<testsuite name="worker-01 host" timestamp="[^"]+Z" time="[0-9.]+" tests="3" failures="1" errors="1" skipped="0">/);
    expect(xml).toMatch(/<testsuite name="worker-01 runtime" [^>]*tests="1" failures="0" errors="0" skipped="1">/);
    expect(xml).toContain('<failure message="swap is on Remediation: Turn swap off: `swapoff -a`." type="required">');
    expect(xml).toContain('<skipped message="containerd is not installed"/>');
    expect(xml).not.toContain('a helper test without a verdict');
  });

  it.skipIf(!haveXmllint)('writes a file valid against junit-10.xsd (needs xmllint)', () => {
    const r = spawnSync('xmllint', ['--noout', '--schema', xsd, junitFile], { encoding: 'utf8' });
    expect(r.stderr).toContain('validates');
  });

  it('prints the summary through the write option', () => {
    const text = summary.join('');
    expect(text).toContain('    FAIL  HOST-1.2.1  No swap is active\n');
    expect(text).toContain('1 passed, 1 failed, 1 errors, 1 skipped\nrun error: suites/broken.test.ts: suite cannot load\n');
  });
});

describe('NodegateReporter when a worker process dies mid-run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodegate-crash-'));
  const expected = { nodes: ['worker-01'], ids: ['HOST-1.1.1', 'HOST-1.3.1'] };
  const reporter = new NodegateReporter({ strict: false, color: false, write: () => {}, expected });

  beforeAll(async () => {
    mkdirSync(join(dir, 'suites'));
    writeFileSync(join(dir, 'suites', 'host.test.ts'), `
const base = ${JSON.stringify(base)};
test('HOST-1.1.1', ({ task }) => {
  task.meta.nodegate = { ...base, id: 'HOST-1.1.1', threat: 'availability', status: 'pass' };
});
`);
    // The worker kills itself before the check can record anything, as the OOM killer or a segfault would.
    writeFileSync(join(dir, 'suites', 'crash.test.ts'), "test('HOST-1.3.1', () => { process.kill(process.pid, 'SIGKILL'); });\n");
    await runInnerVitest(dir, { reporters: [reporter], pool: 'forks' });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is an incomplete run (exit 4) naming the check that never reported, and an error verdict for it', () => {
    expect(reporter.lastOutcome?.exitCode).toBe(ExitCode.internal);
    expect(reporter.lastRunErrors).toContain('worker-01: 1 selected check never reported a verdict: HOST-1.3.1');
    expect(reporter.lastRunErrors.some((e) => /HOST-1\.3\.1: never finished|Worker forks emitted error/.test(e))).toBe(true);
    expect(reporter.lastMetas.map((m) => [m.id, m.status])).toEqual([['HOST-1.1.1', 'pass'], ['HOST-1.3.1', 'error']]);
  });
});
