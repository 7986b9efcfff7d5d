// The compliance suites: `npx vitest run suites/host` audits the node named by nodegate.config.yaml / NODEGATE_*,
// with the CLI's settings, JUnit, console summary and exit codes.
import { defineConfig } from 'vitest/config';
import { NodegateReporter } from './reporters/nodegate-reporter.ts';
import { suiteConfig } from './src/run/suite-config.ts';
import { resolveSuiteRun } from './src/run/suite-settings.ts';

export default defineConfig(async () => {
  // Resolved here as well as in the global setup, so the reporter gets the config file's junit:, strict: and
  // junitProperties: as the CLI would; a bad setting exits 2 before any test file loads.
  const { settings } = await resolveSuiteRun();
  return {
    test: {
      ...suiteConfig,
      reporters: [
        'default',
        new NodegateReporter({
          junitFile: settings.junitFile,
          checkProperties: settings.junitProperties,
          strict: settings.strict,
          setProcessExitCode: true,
        }),
      ],
    },
  };
});
