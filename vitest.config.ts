import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'studio/src/**/*.test.ts', 'schemas/**/*.test.ts', 'test/**/*.test.ts', 'plugins/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
