import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every test file starts its own simulator on 127.0.0.1:0, so files run in parallel safely.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // `vitest run` runs both; `npm run test:unit` runs the first alone.
    projects: [
      {
        extends: true,
        test: {
          // Pure functions only, in seconds: no simulator, HTTP server, emulator, child process, DuckDB or browser.
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // They share no state, so their files share one module cache: a few seconds less to start.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // Builds the command line (dist/cli/) from the sources first: these tests spawn bin/zoho-desk-reports.js.
          globalSetup: ['scripts/build-cli.js'],
          exclude: [...configDefaults.exclude, 'test/unit/**'],
        },
      },
    ],
  },
});
