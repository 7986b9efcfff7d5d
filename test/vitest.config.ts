// The project's own tests: unit and namespace-lab tests, and apart from them the VM tier, one VM at a time, then
// the real cluster tier, one lab for the whole tier.
import { defineConfig } from 'vitest/config';

const root = new URL('..', import.meta.url).pathname;

export default defineConfig({
  test: {
    root,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit+lab', include: ['test/unit/**/*.test.ts', 'test/lab/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        // Each file boots qemu under TCG: two at once on two cores only makes both slow enough to time out.
        extends: true,
        test: { name: 'vm', include: ['test/vm/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
      {
        // One cluster lab (labs/cluster/up.sh) for the whole tier, brought up by its global setup. `npm test`
        // (scripts/test.sh) runs this project in a second Vitest run beside the first, so its setup and teardown
        // belong to it alone; the VM tier and this one passed side by side on two cores (2026-11-30).
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/cluster/global-setup.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
