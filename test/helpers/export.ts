import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { main } from '../../lib/cli/main.js';
import { manifestKey, pageKey, runRecordKey } from '../../lib/pipeline/keys.js';
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

/** The portal (Zoho org) of the pages tests write by hand. */
export const TEST_ORG = '60001234567';

/** One page file as the pipeline writes it (of portal `orgId`; undefined: written before portals), for tests that need exact versions of records. */
export async function writePage(
  root: string,
  report: string,
  runId: string,
  scope: string,
  page: number,
  records: object[],
  orgId: string | undefined = TEST_ORG,
): Promise<string> {
  const path = join(root, pageKey(report, runId, orgId, scope, page));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  return path;
}

/** A run's manifest key as finalizing writes it: under the portal its run record names. */
export async function manifestKeyOf(root: string, report: string, runId: string): Promise<string> {
  const run = JSON.parse(await readFile(join(root, runRecordKey(runId)), 'utf8')) as { orgId?: string };
  return manifestKey(report, runId, run.orgId);
}

/** The key of a report's state in a folder that holds one portal: `_state/org=<id>/<report>.json`. */
export async function portalStateKey(root: string, report: string): Promise<string> {
  const portals = (await readdir(join(root, '_state')).catch(() => [])).filter((name) => name.startsWith('org='));
  if (portals.length !== 1) throw new Error(`expected one portal's state in ${root}, found ${portals.join(', ') || 'none'}`);
  return `_state/${portals[0]}/${report}.json`;
}

/** Every file under `root`, as paths relative to it. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}
