// @ts-check
// Builds the command line, lib/cli/main.ts and what it imports from lib/, into JavaScript in dist/cli/, so
// bin/zoho-desk-reports.js starts without compiling TypeScript. `npm ci` runs it (the `prepare` script), and
// so do `npm test` and `npx vitest` (as vitest's global setup, again on every rerun in watch mode): the tests
// never run a build older than the sources.
//
// One bundle of our own code, split at each `await import()` so a command loads only what it uses; every
// package stays external (DuckDB's native module, the AWS SDK, pino's worker threads), loaded from
// node_modules as it would be from the sources. Output files keep lib/cli's depth (dist/cli/*.js), so paths
// relative to import.meta.url (../../package.json, ../../bin/…) resolve as they do from lib/cli/.
import { build } from 'esbuild';
import { realpathSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist');

/** Builds dist/cli/ from the sources; returns the files written, relative to the project. */
export async function buildCli() {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['lib/cli/main.ts'],
    outbase: 'lib',
    outdir: OUT,
    chunkNames: 'cli/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    // Source maps for DEBUG=1's stack traces (the bin enables them then); class and function names as written.
    sourcemap: 'linked',
    keepNames: true,
    write: false,
    logLevel: 'warning',
  });
  // Each file is written whole, then renamed into place: a CLI started meanwhile never reads half a file.
  const written = new Set(result.outputFiles.map((file) => file.path));
  for (const file of result.outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    await writeFile(partial, file.contents);
    await rename(partial, file.path);
  }
  // Chunks of earlier builds (their names carry a hash of their content) would only pile up. Another build's
  // files in the making are left alone.
  for (const entry of await readdir(OUT, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && !written.has(path) && !entry.name.endsWith('.partial')) await rm(path, { force: true });
  }
  return [...written].map((path) => relative(ROOT, path)).sort();
}

/** Vitest's global setup: build once before the tests, and again before each rerun in watch mode. */
export default async function setup(/** @type {{ onTestsRerun?(cb: () => Promise<void>): void }} */ project) {
  await buildCli();
  project.onTestsRerun?.(async () => {
    await buildCli();
  });
}

// Run as a script (`npm run build`), not imported by vitest. (argv[1] as typed; import.meta.url through symlinks.)
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildCli();
  process.stderr.write(`built ${files.filter((f) => f.endsWith('.js')).length} files into ${relative(ROOT, OUT)}/cli/\n`);
}
