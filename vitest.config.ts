import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the command line (dist/cli/) from the sources before the tests, which spawn bin/zoho-desk-reports.js.
    globalSetup: ['scripts/build-cli.js'],
    // Every test file starts its own simulator on 127.0.0.1:0, so files run in parallel safely.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
