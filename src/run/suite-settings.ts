// `vitest run suites/...` under the CLI's contract: the same settings resolved the same way, and bad input exits as the CLI would.
import { failureReport } from './failure.ts';
import { prepareRun, type PreparedRun } from './prepare.ts';
import { expandFleet } from './fleet.ts';
import { resolveSettings, type RunSettings } from './settings.ts';

export interface SuiteRun extends PreparedRun {
  readonly settings: RunSettings;
}

/**
 * Prints one line and exits with the CLI's code for the failure: Vitest would otherwise print a stack trace and
 * exit 1, which a CI gate reads as "not compliant".
 */
export function exitForFailure(cause: unknown): never {
  const report = failureReport(cause);
  process.stderr.write(`${report.line}\n`);
  process.exit(report.code);
}

/** Settings from NODEGATE_* and nodegate.config.yaml (no flags under plain Vitest), validated as the CLI validates them; NODEGATE_NODES lists the fleet. */
export async function resolveSuiteRun(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<SuiteRun> {
  try {
    const settings = await expandFleet(await resolveSettings({}, env, cwd));
    return { settings, ...(await prepareRun(settings)) };
  } catch (cause) {
    return exitForFailure(cause);
  }
}
