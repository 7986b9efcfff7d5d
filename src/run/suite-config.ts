// Vitest settings of the compliance suites, shared by vitest.config.ts and the CLI's inline config.
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

export const suiteConfig: {
  root: string;
  include: string[];
  globalSetup: string[];
  pool: 'threads' | 'forks';
  maxWorkers: number;
  isolate: boolean;
} = {
  root: packageRoot,
  include: ['suites/**/*.test.ts'],
  globalSetup: [fileURLToPath(new URL('./global-setup.ts', import.meta.url))],
  // Checks are pure functions over facts gathered once: one worker process, no isolation, nothing to race.
  pool: 'threads',
  maxWorkers: 1,
  isolate: false,
};
