import { configDefaults, defineConfig } from 'vitest/config';

const INTEGRATION = ['test/integration/**/*.test.ts'];
const BROWSER = ['test/browser/**/*.test.ts'];

// Integration and browser tests run the local runtime (dynalite, queues) and a browser: on a loaded
// 2-core CI machine they run several times slower than alone, past vitest's 5 s default, so they get
// a limit of their own; still short enough that a real hang fails.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', exclude: [...configDefaults.exclude, ...INTEGRATION, ...BROWSER] },
      },
      {
        extends: true,
        test: { name: 'integration', include: INTEGRATION, testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        extends: true,
        test: { name: 'browser', include: BROWSER, testTimeout: 60_000, hookTimeout: 60_000 },
      },
    ],
  },
});
