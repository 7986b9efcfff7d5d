// The compliance suites: `npx vitest run suites/host` audits the node named by nodegate.config.yaml / NODEGATE_*.
import { defineConfig } from 'vitest/config';
import { NodegateReporter } from './reporters/nodegate-reporter.ts';

export default defineConfig({
  test: {
    include: ['suites/**/*.test.ts'],
    globalSetup: ['src/run/global-setup.ts'],
    // Checks are pure functions over facts gathered once: one worker, no isolation, nothing to race.
    pool: 'threads',
    maxWorkers: 1,
    isolate: false,
    reporters: ['default', new NodegateReporter({ junitFile: process.env.NODEGATE_JUNIT, strict: /^(1|true)$/i.test(process.env.NODEGATE_STRICT ?? '') })],
  },
});
