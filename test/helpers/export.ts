import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { main } from '../../lib/cli/main.js';
import { pageKey } from '../../lib/pipeline/keys.js';
import { capture } from './capture.js';
import { tempDir } from './zoho.js';

/** The command line, in-process: exit code, stdout as one string, stderr lines. */
export async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const out = capture();
  const code = await main(args, { env, out });
  return { code, stdout: out.lines.join('\n'), stderr: out.errors };
}

/** What the README's first command leaves behind: `run --simulate` into a fresh folder. */
export async function simulatedExport(): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await tempDir();
  const result = await cli(['run', '--simulate', '--out', dir.path]);
  if (result.code !== 0) throw new Error(`run --simulate failed (${result.code}): ${result.stderr.join('\n')}`);
  return dir;
}

/** One page file as the pipeline writes it, for tests that need exact versions of records. */
export async function writePage(root: string, report: string, runId: string, scope: string, page: number, records: object[]): Promise<string> {
  const path = join(root, pageKey(report, runId, scope, page));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  return path;
}
