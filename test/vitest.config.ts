import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

const INTEGRATION = ['test/integration/**/*.test.ts'];
const BROWSER = ['test/browser/**/*.test.ts'];
/** Stack tests synthesize whole stacks (one bundles every function): seconds each on a loaded machine. */
const STACKS = ['test/stacks/**/*.test.ts'];

/**
 * Files that need a module graph of their own: one counts the routes its module declares from cold,
 * one sets the log level before the logger is made.
 */
const ISOLATED = ['test/unit/shared/api/sections.test.ts', 'test/integration/log-privacy.test.ts'];

// Files share their worker's modules (`isolate: false`): loading the SDK, Hono and zod again for each
// of ~250 files took more time than the tests themselves. What a file changes outside itself it puts
// back (stubbed AWS clients: test/support/aws-mock.ts; stubbed globals and env: vi.unstub*).
// Integration and browser tests run the local runtime (dynalite, queues) and a browser: on a loaded
// 2-core CI machine they run several times slower than alone, past vitest's 5 s default, so they get
// a limit of their own; still short enough that a real hang fails.
// Two workers at least: vitest's default (one fewer than the cores) is one worker on a 2-core CI machine,
// and integration and browser tests spend much of their time waiting on the runtime's queues and on the
// browser. Measured on 2 cores: one worker 678 s, two 398 s, three 493 s.
export default defineConfig({
  test: {
    pool: 'threads',
    maxWorkers: Math.max(2, availableParallelism() - 1),
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          exclude: [...configDefaults.exclude, ...INTEGRATION, ...BROWSER, ...STACKS, ...ISOLATED],
        },
      },
      {
        extends: true,
        test: { name: 'stacks', include: STACKS, testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          exclude: [...configDefaults.exclude, ...ISOLATED],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: { name: 'browser', include: BROWSER, testTimeout: 60_000, hookTimeout: 60_000 },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          include: ISOLATED,
          isolate: true,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
