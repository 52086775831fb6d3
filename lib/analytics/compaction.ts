import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import * as z from 'zod';
import { writeWhole } from '../adapters/atomic-write.js';
import { RUN_ID, runDate } from '../pipeline/keys.js';
import { findReport } from '../reports/catalog.js';
import { anyFile } from './page-globs.js';
import { parseLayout, LAYOUT_KEY } from '../pipeline/portals.js';
import { TOMBSTONE_PREFIX } from '../pipeline/tombstones.js';
import { snake, TABLES, TOMBSTONES_TABLE, type TableSpec } from './schema.js';
import { DUCKDB, tableViewSql, TOMBSTONE_COLUMNS } from './views.js';

/**
 * Compaction (issue 15): each report's current state as one Parquet file (zstd) under `current/<report>/`, so
 * the latest views read that and only the pages of runs newer than it — their cost follows what changed, not
 * how many runs there have been. A generation holds, for every record, its version the latest view would
 * choose (newest by modifiedTime, then run) and its version from the newest run that saw it (what a tombstone
 * is compared with), as raw rows (`record`, `"$path"`, `dt`): the views type them as they type the page
 * files, so custom fields added later are columns there too. Tombstones are not applied here: the views
 * still apply all of them, so a generation is never wrong about a record that leaves or comes back.
 *
 * Each compaction takes the current generation and the pages of runs after it (`through`), writes a new
 * generation, then swaps the pointer (`current/<report>/_current.json`, written whole). The generation before
 * stays until the next compaction, for a query that began before the swap. Pages written into a run the
 * generation already covers (a page redriven days later) are read by a full compaction (`full`: the current
 * generation and every page file, each row once), which the redrive command asks for.
 */

export const CURRENT_PREFIX = 'current/';

/** DuckDB's memory while it compacts; beyond it, it works on disk. */
const COMPACTION_MEMORY = '128MB';

const pointerSchema = z.object({
  report: z.string(),
  /** the generation's folder name under current/<report>/ */
  generation: z.string().regex(/^gen=[0-9A-Za-z_-]+$/),
  /** the newest run whose pages it holds */
  through: z.string().regex(RUN_ID),
  /** when it was written */
  at: z.string(),
  rows: z.number().int().min(0),
});
export type CurrentPointer = z.infer<typeof pointerSchema>;

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

const dirs = async (path: string): Promise<Dirent[]> =>
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
export async function runGlobsAfter(folder: string, report: string, after?: string): Promise<{ globs: string[]; newest?: string }> {
  const runs = (await runFolders(folder, report, after ? runDate(after) : '')).filter((run) => !after || run.runId > after);
  runs.sort((a, b) => a.runId.localeCompare(b.runId));
  const pages = pagesUnderRun(report);
  const globs: string[] = [];
  for (const run of runs) if (await anyFile(run.path, pages)) globs.push(`${run.path.replaceAll('\\', '/')}/${pages.join('/')}`);
  return { globs, ...(runs.length ? { newest: (runs.at(-1) as { runId: string }).runId } : {}) };
}

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Raw rows (`record`, `"$path"`, `dt`) of page files. */
export const pagesSelect = (globs: readonly string[]) =>
  `SELECT json AS record, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_ndjson_objects([${globs.map(sqlString).join(', ')}], filename = true)`;

/** Raw rows of a generation. */
export const generationSelect = (file: string) => `SELECT record, "$path", dt FROM read_parquet(${sqlString(file.replaceAll('\\', '/'))})`;

export interface CompactionResult {
  report: string;
  /** nothing newer than the current generation: left as it was */
  unchanged?: true;
  rows?: number;
  through?: string;
}

/** The ordering of a record's versions, as the latest view ranks them (views.ts latestViewSql). */
function rankings(spec: TableSpec): { key: string; latest: string; newestRun: string } {
  const t = (name: string) => DUCKDB.ident(name);
  const key = [t('org_id'), ...spec.key.map(t)].join(', ');
  const latest = [
    ...(spec.versionedBy ? [`${t(snake(spec.versionedBy))} DESC NULLS LAST`] : []),
    `${t('run_id')} DESC`,
    `${t('source_file')} DESC`,
  ].join(', ');
  return { key, latest, newestRun: `${t('run_id')} DESC, ${t('source_file')} DESC` };
}

/**
 * Writes a report's next generation from its current one and the pages of later runs (`full`: from every page
 * file), and points to it. `legacyOrgId`: the portal of pages written before portals.
 */
export async function compactReport(
  connection: DuckDBConnection,
  folder: string,
  spec: TableSpec,
  options: { legacyOrgId?: string; full?: boolean; now: number },
): Promise<CompactionResult> {
  const current = await readPointer(folder, spec.report);
  const newer = await runGlobsAfter(folder, spec.report, options.full ? undefined : current?.through);
  // Nothing after the current generation (or no page at all yet): it stands as it is.
  if (newer.globs.length === 0) return { report: spec.report, unchanged: true };
  const sources = [...(current ? [generationSelect(generationFile(folder, spec.report, current.generation))] : []), pagesSelect(newer.globs)];
  // A full compaction reads the current generation too (the pages of pruned runs live on only there), each row once.
  const union = sources.join('\nUNION ALL\n');
  const raw = options.full ? `(SELECT DISTINCT record, "$path", dt FROM (${union}) AS every) AS raw` : `(${union}) AS raw`;
  const typed = tableViewSql(spec, DUCKDB, options.legacyOrgId ? { legacyOrgId: options.legacyOrgId } : {}, raw);
  const { key, latest, newestRun } = rankings(spec);
  const rows = `SELECT record, source_file AS "$path", dt FROM (
    SELECT *, row_number() OVER (PARTITION BY ${key} ORDER BY ${latest}) AS by_version,
      row_number() OVER (PARTITION BY ${key} ORDER BY ${newestRun}) AS by_run
    FROM (${typed}) AS versions
  ) AS ranked
  WHERE by_version = 1 OR by_run = 1
  ORDER BY ${key}, "$path"`;
  return writeGeneration(connection, folder, spec.report, rows, current, newer.newest, options.now);
}

/** Writes `select`'s rows as the folder's next generation, points to it, and removes all but it and the one before. */
async function writeGeneration(
  connection: DuckDBConnection,
  folder: string,
  name: string,
  select: string,
  current: CurrentPointer | undefined,
  newest: string | undefined,
  now: number,
): Promise<CompactionResult> {
  const generation = `gen=${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  const file = generationFile(folder, name, generation);
  await mkdir(join(folder, CURRENT_PREFIX, name, generation), { recursive: true });
  await connection.run(`COPY (${select}) TO ${sqlString(file.replaceAll('\\', '/'))} (FORMAT parquet, COMPRESSION zstd)`);
  const counted = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(file.replaceAll('\\', '/'))})`);
  const rows = Number(counted.getRows()[0]?.[0] ?? 0);
  const through = [current?.through, newest]
    .filter((id): id is string => id !== undefined)
    .sort()
    .at(-1) as string;
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

/** The tombstones' folder, compacted like a report's: every run writes a file, and every latest view reads them all. */
const TOMBSTONES = TOMBSTONE_PREFIX.replace(/\/$/, '');

/** Tombstone rows (their columns, `"$path"`, `dt`) of tombstone files. */
export function tombstoneFilesSelect(globs: readonly string[]): string {
  const columns = TOMBSTONE_COLUMNS.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
  return `SELECT ${TOMBSTONE_COLUMNS.map((c) => `"${c}"`).join(', ')}, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_json([${globs.map(sqlString).join(', ')}], format = 'newline_delimited', columns = {${columns}}, filename = true, hive_partitioning = false)`;
}

/** Tombstone rows of a generation. */
export const tombstoneGenerationSelect = (file: string) =>
  `SELECT ${TOMBSTONE_COLUMNS.map((c) => `"${c}"`).join(', ')}, "$path", dt FROM read_parquet(${sqlString(file.replaceAll('\\', '/'))})`;

/**
 * The tombstones' next generation: all of them (none is dropped: a view applies each against the versions it
 * has), from the last generation and the files of later runs.
 */
export async function compactTombstones(
  connection: DuckDBConnection,
  folder: string,
  options: { full?: boolean; now: number },
): Promise<CompactionResult> {
  const current = await readPointer(folder, TOMBSTONES);
  const newer = await runGlobsAfter(folder, TOMBSTONES, options.full ? undefined : current?.through);
  if (newer.globs.length === 0) return { report: TOMBSTONES_TABLE, unchanged: true };
  const sources = [
    ...(current ? [tombstoneGenerationSelect(generationFile(folder, TOMBSTONES, current.generation))] : []),
    tombstoneFilesSelect(newer.globs),
  ];
  const union = sources.join('\nUNION ALL\n');
  return writeGeneration(
    connection,
    folder,
    TOMBSTONES,
    options.full ? `SELECT DISTINCT * FROM (${union}) AS every` : union,
    current,
    newer.newest,
    options.now,
  );
}

/** Every report's next generation, in one DuckDB session (`full`: each from all its page files). */
export async function compactExport(folder: string, options: { full?: boolean; now: number }): Promise<CompactionResult[]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const layout = parseLayout(await readFile(join(folder, LAYOUT_KEY), 'utf8').catch(() => undefined));
  // Bounded memory: what does not fit is sorted on disk (DuckDB's default is most of the machine's memory, which a
  // run's last step at 50,000 tickets took: 900 MB; bench figure 11).
  const spill = join(folder, '.compaction');
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: COMPACTION_MEMORY,
    temp_directory: spill,
    preserve_insertion_order: 'false',
  });
  const connection = await instance.connect();
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    const results: CompactionResult[] = [];
    for (const spec of TABLES) {
      results.push(
        await compactReport(connection, folder, spec, { ...(layout?.legacyOrgId ? { legacyOrgId: layout.legacyOrgId } : {}), ...options }),
      );
    }
    results.push(await compactTombstones(connection, folder, options));
    return results;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(spill, { recursive: true, force: true });
  }
}
