import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests share the one local Redis and bind real ports; files run in
    // parallel workers but each file's tests run in order.
    pool: 'forks',
  },
});
