import { defineConfig } from 'vitest/config';

/**
 * Tests that assert a request's duration against its configured budget
 * (issue #4: "no request takes longer than its budget + 100 ms"). They run in
 * a second group, after every other file and one file at a time, so the
 * parallel training and load of the other files cannot eat their 100 ms slack.
 */
const TIMED = ['test/integration/degradation.test.ts', 'test/integration/qdrantFallback.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests share the one local Redis and bind real ports; files run in
    // parallel workers but each file's tests run in order.
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: TIMED, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
