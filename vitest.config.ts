import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every test file starts its own simulator on 127.0.0.1:0, so files run in parallel safely.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
