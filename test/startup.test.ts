import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/zoho.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'zoho-desk-reports.js');
const BUILT = join(ROOT, 'dist', 'cli', 'main.js');

/** Packages that only some commands need; `--help` and `reports` must start without them. */
const HEAVY = ['@duckdb/', '@aws-sdk/', 'pino', 'playwright-core', 'chart.js', 'cli-progress'];

// An ESM resolve hook (node:module register) that notes every module the process loads, one URL a line.
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.ZDR_LOADED, resolved.url + '\\n');
  return resolved;
}
`;

/** The installed executable in a child process, and every module it loaded. */
async function startCli(args: string[]) {
  const dir = await tempDir();
  try {
    await writeFile(join(dir.path, 'hooks.mjs'), HOOKS);
    await writeFile(join(dir.path, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    const loadedFile = join(dir.path, 'loaded.txt');
    await writeFile(loadedFile, '');
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(dir.path, 'register.mjs')).href, BIN, ...args], {
      env: { ...process.env, ZDR_LOADED: loadedFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    const loaded = [...new Set((await readFile(loadedFile, 'utf8')).split('\n').filter(Boolean))];
    return { code, stdout, stderr, loaded };
  } finally {
    await dir.remove();
  }
}

/** Every file under `folder` with a name ending in `suffix`. */
async function filesUnder(folder: string, suffix: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name));
}

describe('the executable starts from the JavaScript built from lib/', () => {
  it.each([
    [['--help'], 'Usage: zoho-desk-reports'],
    [['reports'], 'customer-happiness'],
  ])('%j runs the build: no TypeScript, no tsx, none of the packages only other commands need', async (args, expected) => {
    const started = await startCli(args);

    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(expected);
    expect(started.loaded).toContain(pathToFileURL(BUILT).href);
    expect(started.loaded.filter((url) => url.endsWith('.ts') || url.includes('/node_modules/tsx/'))).toEqual([]);
    expect(started.loaded.filter((url) => HEAVY.some((name) => url.includes(`/node_modules/${name}`)))).toEqual([]);
  });

  it('is no older than the sources: the tests never run a stale build', async () => {
    const built = (await stat(BUILT)).mtimeMs;
    const sources = await filesUnder(join(ROOT, 'lib'), '.ts');

    const newer = (await Promise.all(sources.map(async (file) => [file, (await stat(file)).mtimeMs] as const))).filter(([, mtime]) => mtime > built);

    expect(sources.length).toBeGreaterThan(50);
    expect(newer.map(([file]) => file)).toEqual([]);
  });
});
