// The project's own tests: unit and namespace-lab tests, and apart from them the VM tier, one VM at a time.
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
    ],
  },
});
