// The CI gate's contract: which verdicts lead to which exit code, with and without --strict.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.ts';
import { meta } from '../support/metas.ts';
import { runOutcome } from '../../src/run/outcome.ts';


const allPass = [meta({ id: 'HOST-1', status: 'pass' }), meta({ id: 'RT-1', status: 'pass', area: 'runtime' })];

describe('runOutcome', () => {
  it('is 0 when every required check passed', () => {
    const o = runOutcome(allPass, { strict: false });
    expect(o).toEqual({ exitCode: ExitCode.compliant, reason: 'all 2 required checks passed' });
  });

  it('is never 0 when nothing was audited: no verdict at all is an incomplete run (4)', () => {
    const nothing = { exitCode: ExitCode.internal, reason: 'no check reported a verdict: nothing was audited' };
    expect(runOutcome([], { strict: false })).toEqual(nothing);
    expect(runOutcome([], { strict: true })).toEqual(nothing);
  });

  it('is 1 when every verdict is a skip, even without --strict: skips prove nothing', () => {
    const o = runOutcome([meta({ id: 'RT-9', status: 'skip' }), meta({ id: 'RT-8', status: 'skip', level: 'advisory' })], { strict: false });
    expect(o).toEqual({ exitCode: ExitCode.nonCompliant, reason: 'every check was skipped (2 checks), so nothing was proven: RT-9, RT-8' });
  });

  it('is 1 when a required check fails, naming it', () => {
    const o = runOutcome([...allPass, meta({ id: 'HOST-1.2.1', status: 'fail' })], { strict: false });
    expect(o.exitCode).toBe(ExitCode.nonCompliant);
    expect(o.reason).toBe('1 required check failed: HOST-1.2.1');
  });

  it('is 1 when a required check errored: missing evidence does not prove compliance', () => {
    const o = runOutcome([...allPass, meta({ id: 'RT-2.1.2', status: 'error' })], { strict: false });
    expect(o.exitCode).toBe(1);
    expect(o.reason).toContain('could not be evaluated (compliance not proven): RT-2.1.2');
  });

  it('does not gate on advisory failures or skips without --strict, but says they exist', () => {
    const metas = [
      ...allPass,
      meta({ id: 'HOST-1.1.4', status: 'fail', level: 'advisory' }),
      meta({ id: 'HOST-1.3.1', status: 'error', level: 'advisory' }),
      meta({ id: 'RT-9', status: 'skip', message: 'containerd absent' }),
    ];
    const o = runOutcome(metas, { strict: false });
    expect(o.exitCode).toBe(0);
    expect(o.reason).toBe(
      'all 2 required checks that ran passed; 1 required not proven, skipped (1 containerd absent); 2 advisory checks not passing, 1 check skipped (gated only with --strict)',
    );
  });

  it('is 0 without cluster access, and says how many required checks were skipped and why', () => {
    // A node-only run: the cluster and live rows skip. The gate vouches for what ran and counts the rest by cause.
    const metas = [
      ...allPass,
      meta({ id: 'SEC-4.3.3', status: 'skip', message: 'this check reads the Kubernetes API: no kubeconfig (pass --kubeconfig)' }),
      meta({ id: 'RES-6.3.1', status: 'skip', message: 'this check reads the Kubernetes API: no kubeconfig (pass --kubeconfig)' }),
      meta({ id: 'RES-6.2.1', status: 'skip', message: 'live check: it runs workloads on the node, run with --live' }),
    ];
    expect(runOutcome(metas, { strict: false })).toEqual({
      exitCode: 0,
      reason:
        'all 2 required checks that ran passed; 3 required not proven, skipped (2 this check reads the Kubernetes API, 1 live check); 3 checks skipped (gated only with --strict)',
    });
    expect(runOutcome(metas, { strict: true }).exitCode).toBe(1);
  });

  it('with --strict, advisory failures and errors gate', () => {
    const o = runOutcome([...allPass, meta({ id: 'HOST-1.1.4', status: 'error', level: 'advisory' })], {
      strict: true,
    });
    expect(o).toEqual({ exitCode: 1, reason: 'strict: 1 advisory check not passing: HOST-1.1.4' });
  });

  it('with --strict, a skip gates', () => {
    const o = runOutcome([...allPass, meta({ id: 'RT-9', status: 'skip' })], { strict: true });
    expect(o).toEqual({ exitCode: 1, reason: 'strict: 1 check skipped: RT-9' });
  });

  it('with --strict and everything passing, is 0', () => {
    expect(runOutcome(allPass, { strict: true })).toEqual({ exitCode: 0, reason: 'all 2 checks passed' });
  });

  it('is 3 when any node was unobservable, even when other checks failed', () => {
    const metas = [
      meta({ id: 'HOST-1.2.1', status: 'fail' }),
      meta({ id: 'HOST-1', status: 'error', node: 'worker-02', unobservable: true }),
      meta({ id: 'RT-1', status: 'error', node: 'worker-02', unobservable: true }),
    ];
    expect(runOutcome(metas, { strict: false })).toEqual({
      exitCode: ExitCode.unobservable,
      reason: 'could not observe 1 node: worker-02',
    });
  });

  it('lists each failing ID once across nodes and shortens long lists', () => {
    const metas = Array.from({ length: 8 }, (_, i) => meta({ id: `HOST-${i}`, status: 'fail' }));
    metas.push(meta({ id: 'HOST-0', status: 'fail', node: 'worker-02' }));
    const o = runOutcome(metas, { strict: false });
    expect(o.reason).toBe('9 required checks failed: HOST-0, HOST-1, HOST-2, HOST-3, HOST-4, HOST-5 (+2 more)');
  });

  it('is 4 when checks never reported (run errors), whatever the verdicts that did arrive say', () => {
    const problem = 'suites/host/availability.test.ts: SyntaxError';
    expect(runOutcome(allPass, { strict: false, runErrors: [problem] })).toEqual({
      exitCode: ExitCode.internal,
      reason: `the audit did not complete, 1 run error (some selected checks never reported): ${problem}`,
    });
    expect(runOutcome([], { strict: false, runErrors: [problem] }).exitCode).toBe(ExitCode.internal);
    expect(runOutcome([meta({ id: 'HOST-1.2.1', status: 'fail' })], { strict: false, runErrors: [problem] }).exitCode).toBe(ExitCode.internal);
  });

  it('an incomplete run outranks an unobservable node, and says both', () => {
    const metas = [meta({ id: 'HOST-1', status: 'error', node: 'worker-02', unobservable: true })];
    const o = runOutcome(metas, { strict: false, runErrors: ['a', 'b', 'c', 'd'] });
    expect(o).toEqual({
      exitCode: ExitCode.internal,
      reason: 'the audit did not complete, 4 run errors (some selected checks never reported): a; b; c (+1 more); also could not observe 1 node: worker-02',
    });
  });
});
