import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'adapters/*/src/**/*.test.ts',
            'cli/src/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**', 'test/system/**'],
        },
      },
      {
        // Real servers (PostgreSQL from Debian), started by .ci/run; see scripts/ci-postgres.sh.
        extends: true,
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          // The PostgreSQL fault tests stop and restart the shared server: one file at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
