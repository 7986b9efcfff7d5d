// The compliance suites: `npx vitest run suites/host` audits the node named by nodegate.config.yaml / NODEGATE_*.
import { defineConfig } from 'vitest/config';
import { NodegateReporter } from './reporters/nodegate-reporter.ts';
import { suiteConfig } from './src/run/suite-config.ts';

export default defineConfig({
  test: {
    ...suiteConfig,
    reporters: ['default', new NodegateReporter({ junitFile: process.env.NODEGATE_JUNIT, strict: /^(1|true|yes)$/i.test(process.env.NODEGATE_STRICT ?? '') })],
  },
});
