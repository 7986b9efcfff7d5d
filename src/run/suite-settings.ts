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

/** Fleet lists made in this process, by what decides them; on globalThis, see expandFleetOnce. */
const fleetLists = Symbol.for('nodegate.suite-fleet-lists');
type FleetLists = Map<string, Promise<RunSettings>>;

/**
 * Plain Vitest resolves the settings twice in one process (vitest.config.ts for the reporter, the global setup for
 * the nodes), and Vite bundles the config, so each has its own copy of this module: the list is shared through
 * globalThis so a run still makes one list call and both see the same Nodes.
 */
function expandFleetOnce(settings: RunSettings): Promise<RunSettings> {
  if (!settings.fleet) return Promise.resolve(settings);
  const holder = globalThis as typeof globalThis & { [fleetLists]?: FleetLists };
  const lists: FleetLists = (holder[fleetLists] ??= new Map<string, Promise<RunSettings>>());
  const key = JSON.stringify({ fleet: settings.fleet, cluster: settings.cluster });
  let listed = lists.get(key);
  if (!listed) {
    listed = expandFleet(settings);
    lists.set(key, listed);
  }
  // The rest of the settings are this call's own; only the node list is shared.
  return listed.then((l) => ({ ...settings, nodes: l.nodes }));
}

/** Settings from NODEGATE_* and nodegate.config.yaml (no flags under plain Vitest), validated as the CLI validates them; NODEGATE_NODES lists the fleet. */
export async function resolveSuiteRun(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Promise<SuiteRun> {
  try {
    const settings = await expandFleetOnce(await resolveSettings({}, env, cwd));
    return { settings, ...(await prepareRun(settings)) };
  } catch (cause) {
    return exitForFailure(cause);
  }
}
