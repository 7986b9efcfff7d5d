// Vitest settings of the compliance suites, shared by vitest.config.ts and the CLI's inline config.
import { fileURLToPath } from 'node:url';
import { catalog, type Area, type CheckDeclaration } from '../catalog/index.ts';

export const packageRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export const suiteConfig: {
  root: string;
  include: string[];
  globalSetup: string[];
  pool: 'threads' | 'forks';
  maxWorkers: number;
  isolate: boolean;
  experimental: { viteModuleRunner: boolean; nodeLoader: boolean };
} = {
  root: packageRoot,
  include: ['suites/**/*.test.ts'],
  globalSetup: [fileURLToPath(new URL('./global-setup.ts', import.meta.url))],
  // Checks are pure functions over facts gathered once: one worker process, no isolation, nothing to race.
  pool: 'threads',
  maxWorkers: 1,
  isolate: false,
  // The sources are erasable TypeScript that Node runs natively: Vite's transform pipeline would only cost time.
  experimental: { viteModuleRunner: false, nodeLoader: false },
};

/** Areas that have suite files under suites/: checks of other areas are declared but not run yet. */
export const suiteAreas: readonly Area[] = ['host', 'runtime', 'kubelet', 'security', 'network', 'resources'];

/** The checks a run can execute, optionally narrowed by --only and --skip. */
export function suiteChecks(only: readonly string[] = [], skip: readonly string[] = []): CheckDeclaration[] {
  return catalog.filter(
    (c) => suiteAreas.includes(c.area) && (only.length === 0 || only.includes(c.id)) && !skip.includes(c.id),
  );
}
