#!/usr/bin/env node
// Runs the command line built from lib/ into dist/cli/ (`npm run build`, which `npm ci` runs as `prepare` and
// `npm test` runs before the tests): plain JavaScript, so a command starts without compiling TypeScript.
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// V8 lets its heap grow up to four times what is live before it collects. A run's garbage is mostly page
// bodies (large strings, which go straight to the old generation), so its heap, and the process, would grow
// with the pages read rather than with what is kept: at 1.25× a first run of 25,000 tickets peaks near 170 MB
// and finalizing one of 100,000 near 290 MB (bench figure 11), for a few more collections of a small heap.
setFlagsFromString('--heap-growing-percent=25');

if (process.env.DEBUG) process.setSourceMapsEnabled(true); // stack traces that name lib/**/*.ts

const built = new URL('../dist/cli/main.js', import.meta.url);
let cli;
try {
  cli = await import(built.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(fileURLToPath(built))) throw error;
  process.stderr.write(
    'zoho-desk-reports: the command line is not built (dist/cli/main.js is missing): run `npm run build` in the package folder (`npm ci` does it).\n',
  );
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
