// NODEGATE_REQUIRE_LABS=1 turns a lab tier's "cannot run here" skip into a failure; unset, the tier skips and says why.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabRequiredError, labsRequired, requireLab } from '../support/lab-tier.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const unavailable = { ok: false, reason: 'sshd is missing' } as const;

function requireLabError(run: () => unknown): LabRequiredError {
  try {
    run();
  } catch (e) {
    if (e instanceof LabRequiredError) return e;
    throw e;
  }
  throw new Error('expected a LabRequiredError, nothing was thrown');
}

describe('requireLab', () => {
  it('passes an unavailable tier through when labs are not required, so it skips with its reason', () => {
    expect(requireLab('namespace lab', unavailable, {})).toEqual(unavailable);
    expect(requireLab('namespace lab', unavailable, { NODEGATE_REQUIRE_LABS: '' })).toEqual(unavailable);
    expect(requireLab('namespace lab', unavailable, { NODEGATE_REQUIRE_LABS: '0' })).toEqual(unavailable);
  });

  it('throws, naming the tier and why, when labs are required and the tier cannot run', () => {
    const e = requireLabError(() => requireLab('VM lab', unavailable, { NODEGATE_REQUIRE_LABS: '1' }));
    expect(e.tier).toBe('VM lab');
    expect(e.reason).toBe('sshd is missing');
    expect(e.message).toBe('NODEGATE_REQUIRE_LABS is set but the VM lab cannot run here: sshd is missing');
  });

  it('lets an available tier run whether or not labs are required', () => {
    expect(requireLab('VM lab', { ok: true }, { NODEGATE_REQUIRE_LABS: '1' })).toEqual({ ok: true });
    expect(requireLab('VM lab', { ok: true }, {})).toEqual({ ok: true });
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    [' 1 ', true],
    ['0', false],
    ['no', false],
    ['', false],
  ])('reads NODEGATE_REQUIRE_LABS=%j as %s', (value, required) => {
    expect(labsRequired({ NODEGATE_REQUIRE_LABS: value })).toBe(required);
  });
});

/** Runs Vitest on one lab test file with no commands on PATH, so the namespace lab cannot run. */
function runLabFileWithoutTools(extraEnv: Record<string, string>): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/nonexistent', NO_COLOR: '1' };
  delete env['NODEGATE_REQUIRE_LABS'];
  Object.assign(env, extraEnv);
  const args = ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/vitest.config.ts', 'test/lab/netns-lab.test.ts'];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

// The whole path: a real lab test file, its module-level availability check, Vitest's exit code.
describe('a lab test file on a machine that cannot run the lab', () => {
  it('skips and exits 0 when labs are not required', async () => {
    const r = await runLabFileWithoutTools({});
    // Every test of the file skipped, none ran and none failed.
    expect(r.output).toMatch(/Tests\s+(\d+) skipped \(\1\)/);
    expect(r.code, r.output).toBe(0);
  }, 60_000);

  it('fails when NODEGATE_REQUIRE_LABS=1', async () => {
    const r = await runLabFileWithoutTools({ NODEGATE_REQUIRE_LABS: '1' });
    expect(r.output).toContain('NODEGATE_REQUIRE_LABS is set but the namespace lab cannot run here');
    expect(r.code).not.toBe(0);
  }, 60_000);
});
