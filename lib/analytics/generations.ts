import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeWhole } from '../adapters/atomic-write.js';
import { RUN_ID, runDate } from '../pipeline/keys.js';
import { findReport } from '../reports/catalog.js';
import { CURRENT_PREFIX, pointerSchema, type CurrentPointer } from './compacted-views.js';
import { anyFile } from './page-globs.js';

/**
 * A report's generations on disk (compaction.ts): the pointer to the current one, its Parquet file, the run
 * folders after it, and the writing of the next one.
 */

export const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Parquet as compaction writes it: a row group is held in memory while it is written (DuckDB's default, 122,880 records, is 90 MB of threads). */
export const PARQUET = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 4096, ROW_GROUP_SIZE_BYTES '4MB'";

export const pointerPath = (folder: string, report: string) => join(folder, CURRENT_PREFIX, report, '_current.json');
export const generationFile = (folder: string, report: string, generation: string) =>
  join(folder, CURRENT_PREFIX, report, generation, 'part-0.parquet');

/** The report's current generation, if there is one and its file is there (a pointer to nothing is no pointer). */
export async function readPointer(folder: string, report: string): Promise<CurrentPointer | undefined> {
  const text = await readFile(pointerPath(folder, report), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed;
  try {
    parsed = pointerSchema.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!parsed.success || parsed.data.report !== report) return undefined;
  const present = await stat(generationFile(folder, report, parsed.data.generation)).then(
    () => true,
    () => false,
  );
  return present ? parsed.data : undefined;
}

export const dirs = async (path: string): Promise<Dirent[]> =>
  (await readdir(path, { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory());

/** How a report's pages lie under a run folder: one folder down per ticket, department or module, or anywhere. */
export function pagesUnderRun(report: string): string[] {
  const scope = findReport(report)?.parent?.scope;
  return scope && scope !== 'agent' ? [`${scope}=*`, '*.jsonl'] : ['**', '*.jsonl'];
}

/**
 * A report's run folders from the day `fromDay` (YYYY-MM-DD; all when empty) on, in both layouts: each portal's
 * (`dt=…/org=…/run=…`) and those written before portals (`dt=…/run=…`).
 */
export async function runFolders(folder: string, report: string, fromDay = ''): Promise<Array<{ runId: string; day: string; path: string }>> {
  const root = join(folder, report);
  const runs: Array<{ runId: string; day: string; path: string }> = [];
  for (const entry of await dirs(root)) {
    const day = entry.name.startsWith('dt=') ? entry.name.slice(3) : '';
    if (!day || day < fromDay) continue;
    const dayPath = join(root, entry.name);
    for (const inner of await dirs(dayPath)) {
      const runDirs = inner.name.startsWith('org=')
        ? (await dirs(join(dayPath, inner.name))).map((run) => ({ name: run.name, path: join(dayPath, inner.name, run.name) }))
        : [{ name: inner.name, path: join(dayPath, inner.name) }];
      for (const run of runDirs) {
        const runId = run.name.startsWith('run=') ? run.name.slice(4) : '';
        if (RUN_ID.test(runId)) runs.push({ runId, day, path: run.path });
      }
    }
  }
  return runs;
}

/**
 * The run folders of a report after `after` (all of them when undefined) that hold pages, each as a glob of
 * its page files, oldest first. Only the day folders from `after`'s day on are looked into.
 */
export async function runGlobsAfter(folder: string, report: string, after?: string): Promise<{ globs: string[]; runs: string[]; newest?: string }> {
  const runs = (await runFolders(folder, report, after ? runDate(after) : '')).filter((run) => !after || run.runId > after);
  runs.sort((a, b) => a.runId.localeCompare(b.runId));
  const pages = pagesUnderRun(report);
  const globs: string[] = [];
  const withPages: string[] = [];
  for (const run of runs) {
    if (!(await anyFile(run.path, pages))) continue;
    globs.push(`${run.path.replaceAll('\\', '/')}/${pages.join('/')}`);
    withPages.push(run.path);
  }
  return { globs, runs: withPages, ...(runs.length ? { newest: (runs.at(-1) as { runId: string }).runId } : {}) };
}

/** Raw rows (`record`, `"$path"`, `dt`) of page files. */
export const pagesSelect = (globs: readonly string[]) =>
  `SELECT json AS record, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_ndjson_objects([${globs.map(sqlString).join(', ')}], filename = true)`;

/**
 * A generation names each row's page by its key (`tickets/dt=…/page-00001.jsonl`), not by where the folder was
 * when it was compacted: a bucket is compacted in a work folder, and a folder can move. Read back, the key is a
 * path under the folder again, as the pages' own rows have it (a generation written before keys: as it was).
 */
const folderPrefix = (folder: string) => `${folder.replaceAll('\\', '/').replace(/\/$/, '')}/`;
export const pathAsKey = (folder: string, column: string) =>
  `CASE WHEN starts_with(${column}, ${sqlString(folderPrefix(folder))}) THEN substr(${column}, ${folderPrefix(folder).length + 1}) ELSE ${column} END`;
export const keyAsPath = (folder: string) =>
  `CASE WHEN "$path" LIKE '/%' OR regexp_matches("$path", '^[A-Za-z]:') THEN "$path" ELSE ${sqlString(folderPrefix(folder))} || "$path" END`;

/** Raw rows of a report's generation. */
export const generationSelect = (folder: string, report: string, generation: string) =>
  `SELECT record, ${keyAsPath(folder)} AS "$path", dt FROM read_parquet(${sqlString(generationFile(folder, report, generation).replaceAll('\\', '/'))})`;

export interface CompactionResult {
  report: string;
  /** nothing newer than the current generation: left as it was */
  unchanged?: true;
  /** the generation left as it was, its pointer moved past later runs that hold no page of it */
  advanced?: true;
  rows?: number;
  through?: string;
}

/** What a compaction is asked to do. */
export interface CompactionOptions {
  /** from every page file, not only those after the current generation */
  full?: boolean;
  now: number;
  /**
   * The newest run every page of which is in the folder (a bucket's settled runs, copied to a work folder): the
   * generations cover it, though its folders there hold no page of theirs.
   */
  horizon?: string;
}

/** The newest of some run ids. */
export const newestOf = (...ids: Array<string | undefined>) =>
  ids
    .filter((id): id is string => id !== undefined)
    .sort()
    .at(-1);

/**
 * With no page after the generation, its pointer still moves past the runs since (a report read in full whose
 * records were all unchanged, so none was stored): the views list the run folders after `through` on every
 * query, and without this a report that never changes has them listed back to its first run (bench figure 13).
 */
export async function passOver(folder: string, name: string, label: string, current: CurrentPointer | undefined, through: string | undefined) {
  if (!current || !through || through <= current.through) return { report: label, unchanged: true } as const;
  await writeWhole(pointerPath(folder, name), `${JSON.stringify({ ...current, through })}\n`);
  return { report: label, unchanged: true, advanced: true, through } as const;
}

/** Writes the folder's next generation (`write` makes its file), points to it, and removes all but it and the one before. */
export async function writeGeneration(
  connection: DuckDBConnection,
  folder: string,
  name: string,
  write: (file: string) => Promise<void>,
  current: CurrentPointer | undefined,
  through: string,
  now: number,
): Promise<CompactionResult> {
  const generation = `gen=${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  const file = generationFile(folder, name, generation);
  await mkdir(join(folder, CURRENT_PREFIX, name, generation), { recursive: true });
  await write(file.replaceAll('\\', '/'));
  const counted = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(file.replaceAll('\\', '/'))})`);
  const rows = Number(counted.getRows()[0]?.[0] ?? 0);
  const pointer: CurrentPointer = { report: name, generation, through, at: new Date(now).toISOString(), rows };
  await writeWhole(pointerPath(folder, name), `${JSON.stringify(pointer)}\n`);
  // The generation before stays for a query that began before the swap; older ones go.
  for (const entry of await dirs(join(folder, CURRENT_PREFIX, name))) {
    if (entry.name.startsWith('gen=') && entry.name !== generation && entry.name !== current?.generation) {
      await rm(join(folder, CURRENT_PREFIX, name, entry.name), { recursive: true, force: true });
    }
  }
  return { report: name, rows, through };
}
