// The Vitest reporter behind `nodegate` and `vitest run suites/...`: writes JUnit, prints the summary, keeps the outcome.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import type { SerializedError } from 'vitest';
import type { CheckMeta } from '../src/run/meta.ts';
import { runOutcome } from '../src/run/outcome.ts';
import type { RunOutcome } from '../src/run/outcome.ts';
import { collectRun } from './collect.ts';
import { renderSummary } from './console.ts';
import { expectedFromModules, missingMetas, missingVerdicts, type ExpectedVerdicts } from './expected.ts';
import { renderJUnit } from './junit.ts';
import type { CheckPropertiesMode } from './junit.ts';

export interface NodegateReporterOptions {
  /** Where to write JUnit XML (relative to the working directory); no file when absent. */
  readonly junitFile?: string;
  readonly strict?: boolean;
  /** Defaults to colors only on a terminal and without NO_COLOR. */
  readonly color?: boolean;
  /** Where the summary goes; defaults to stdout. */
  readonly write?: (text: string) => void;
  readonly checkProperties?: CheckPropertiesMode;
  /**
   * The verdicts the run owes (selected checks × nodes); any that never arrive are run errors. The CLI passes
   * them; otherwise they are derived from the suite files Vitest ran and the run's provided nodegate context.
   */
  readonly expected?: ExpectedVerdicts;
  /**
   * Make the process exit with the gate's code (0/1/3/4) rather than Vitest's own 0/1: for `vitest run suites/...`.
   * Vitest sets process.exitCode before it calls onTestRunEnd (vitest/dist/chunks/cli-api.*.js, TestRun.end), and
   * `vitest run` then ends without process.exit, so the value set here is the process's exit code.
   */
  readonly setProcessExitCode?: boolean;
}

/** Temp file in the same directory, then rename: a CI step never reads a half-written report. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const target = resolve(file);
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function defaultColor(): boolean {
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

export class NodegateReporter implements Reporter {
  readonly options: NodegateReporterOptions;
  /** The verdicts of the last finished run, for the CLI (fixes, JSON) after Vitest returns. */
  lastMetas: CheckMeta[] = [];
  /** The gate decision of the last finished run; undefined until a run ends. */
  lastOutcome: RunOutcome | undefined;
  /** Problems outside any verdict in the last run (load errors, unhandled errors, interruption). */
  lastRunErrors: string[] = [];
  private startedAt = new Date();

  constructor(options: NodegateReporterOptions = {}) {
    this.options = options;
  }

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  async onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): Promise<void> {
    const collected = collectRun(testModules);
    const { durationsMs, problems } = collected;
    const runErrors = [...problems, ...unhandledErrors.map((e) => `unhandled error: ${e.message}`)];
    if (reason === 'interrupted') runErrors.push('the run was interrupted');
    const expected = this.options.expected ?? expectedFromModules(testModules);
    if (expected) runErrors.push(...missingVerdicts(collected.metas, expected));
    const metas = expected ? [...collected.metas, ...missingMetas(collected.metas, expected)] : collected.metas;
    const strict = this.options.strict ?? false;

    this.lastMetas = metas;
    this.lastRunErrors = runErrors;
    this.lastOutcome = runOutcome(metas, { strict, runErrors });

    if (this.options.junitFile) {
      const xml = renderJUnit(metas, {
        timestamp: this.startedAt,
        durationsMs,
        checkProperties: this.options.checkProperties ?? 'system-out',
      });
      await writeFileAtomic(this.options.junitFile, xml);
    }
    const write = this.options.write ?? ((text: string) => void process.stdout.write(text));
    write(renderSummary(metas, { color: this.options.color ?? defaultColor(), strict, runErrors }));
    // An interrupted run keeps Vitest's own code (130 after Ctrl-C): the user stopped it, nodegate did not fail.
    if (this.options.setProcessExitCode && reason !== 'interrupted') process.exitCode = this.lastOutcome.exitCode;
  }
}
