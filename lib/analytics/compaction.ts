import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeWhole } from '../adapters/atomic-write.js';
import { RUN_ID, runDate } from '../pipeline/keys.js';
import { findReport } from '../reports/catalog.js';
import { anyFile } from './page-globs.js';
import { CURRENT_PREFIX, pointerSchema, type CurrentPointer } from './compacted-views.js';

export { CURRENT_PREFIX, pointerSchema, type CurrentPointer } from './compacted-views.js';
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

/** DuckDB's memory while it compacts; beyond it, it works on disk. */
const COMPACTION_MEMORY = '64MB';
/** Parquet as compaction writes it: a row group is held in memory while it is written (DuckDB's default, 122,880 records, is 90 MB of threads). */
const PARQUET = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 4096, ROW_GROUP_SIZE_BYTES '4MB'";
/** Rows of a generation read in one query. */
const ROWS_A_SLICE = 50_000;

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

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

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
const pathAsKey = (folder: string, column: string) =>
  `CASE WHEN starts_with(${column}, ${sqlString(folderPrefix(folder))}) THEN substr(${column}, ${folderPrefix(folder).length + 1}) ELSE ${column} END`;
const keyAsPath = (folder: string) =>
  `CASE WHEN "$path" LIKE '/%' OR regexp_matches("$path", '^[A-Za-z]:') THEN "$path" ELSE ${sqlString(folderPrefix(folder))} || "$path" END`;

/** Raw rows of a report's generation. */
export const generationSelect = (folder: string, report: string, generation: string) =>
  `SELECT record, ${keyAsPath(folder)} AS "$path", dt FROM read_parquet(${sqlString(generationFile(folder, report, generation).replaceAll('\\', '/'))})`;

export interface CompactionResult {
  report: string;
  /** nothing newer than the current generation: left as it was */
  unchanged?: true;
  rows?: number;
  through?: string;
}

/** The ordering of a record's versions, as the latest view ranks them (views.ts latestViewSql). */
function rankings(spec: TableSpec): { keys: string[]; versioned?: string; latest: string; newestRun: string } {
  const t = (name: string) => DUCKDB.ident(name);
  const keys = [t('org_id'), ...spec.key.map(t)];
  const versioned = spec.versionedBy ? t(snake(spec.versionedBy)) : undefined;
  const latest = [...(versioned ? [`${versioned} DESC NULLS LAST`] : []), `${t('run_id')} DESC`, `${t('source_file')} DESC`].join(', ');
  return { keys, ...(versioned ? { versioned } : {}), latest, newestRun: `${t('run_id')} DESC, ${t('source_file')} DESC` };
}

/**
 * Writes a report's next generation from its current one and the pages of later runs (`full`: from every page
 * file), and points to it. `legacyOrgId`: the portal of pages written before portals.
 *
 * Memory stays flat as the portal grows (bench figure 11): versions are ranked on their keys alone, then the
 * records kept are read again part by part and written as they came — ranking whole records (a window over every
 * column, then a sort) ran out of memory at 50,000 tickets.
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
  const generation = current ? generationSelect(folder, spec.report, current.generation) : undefined;
  // A full compaction reads the current generation too (the pages of pruned runs live on only there), but only
  // for the pages no longer on disk: those still there are read from their files, each row once.
  const fromGeneration =
    generation && options.full ? `SELECT * FROM (${generation}) AS g WHERE "$path" NOT IN (${filesOf(newer.globs)})` : generation;
  // Only the fields that rank a record's versions are parsed: the record itself is kept as it came.
  const ranking = new Set([...spec.key, ...(spec.versionedBy ? [spec.versionedBy] : [])]);
  const narrow: TableSpec = { ...spec, fields: spec.fields.filter((f) => ranking.has(f.name) || ranking.has(snake(f.name))) };
  const typed = (raw: string) => tableViewSql(narrow, DUCKDB, options.legacyOrgId ? { legacyOrgId: options.legacyOrgId } : {}, `(${raw}) AS raw`);
  const { keys, versioned, latest, newestRun } = rankings(spec);
  // The inputs in parts of bounded size: batches of page files (DuckDB holds each file's reader until a query
  // ends: 50,000 thread pages in one query took 170 MB), the generation in slices.
  const slices = fromGeneration ? Math.max(1, Math.ceil((current?.rows ?? 0) / ROWS_A_SLICE)) : 0;
  const parts = [
    ...Array.from({ length: slices }, (_, i) => `SELECT * FROM (${fromGeneration}) AS s WHERE hash("$path") % ${slices} = ${i}`),
    ...(await fileBatches(newer.runs, spec.report)).map(pagesSelect),
  ];
  // First the versions' keys alone, ranked: which version of each record is kept, and in which part it lies.
  const columns = [...keys, ...(versioned ? [versioned] : []), '"run_id"', '"source_file"'].join(', ');
  for (const [i, part] of parts.entries()) {
    const select = `SELECT ${columns}, ${i} AS part FROM (${typed(part)}) AS v`;
    await connection.run(i === 0 ? `CREATE OR REPLACE TABLE versions AS ${select}` : `INSERT INTO versions ${select}`);
  }
  const picked = [...keys, '"source_file"'];
  await connection.run(`CREATE OR REPLACE TABLE kept AS SELECT DISTINCT ${picked.join(', ')}, part FROM (
      SELECT *, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${latest}) AS by_version,
        row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${newestRun}) AS by_run
      FROM versions
    ) AS ranked WHERE by_version = 1 OR by_run = 1`);
  await connection.run('DROP TABLE versions');
  // Then each part read again, its records kept as they came (NULL keys match as the views' windows group them).
  const on = picked.map((c) => `v.${c} IS NOT DISTINCT FROM k.${c}`).join(' AND ');
  const write = async (file: string) => {
    const written: string[] = [];
    try {
      for (const [i, part] of parts.entries()) {
        const partFile = `${file}.${i}.part`;
        written.push(partFile);
        await connection.run(`COPY (SELECT v.record, ${pathAsKey(folder, 'v.source_file')} AS "$path", v.dt FROM (${typed(part)}) AS v
          SEMI JOIN (SELECT * FROM kept WHERE part = ${i}) AS k ON ${on}) TO ${sqlString(partFile)} (${PARQUET})`);
      }
      // Not hive-partitioned: the folder is `gen=…`, which would be written as a column.
      await connection.run(
        `COPY (SELECT * FROM read_parquet([${written.map(sqlString).join(', ')}], hive_partitioning = false)) TO ${sqlString(file)} (${PARQUET})`,
      );
    } finally {
      for (const partFile of written) await rm(partFile, { force: true });
    }
  };
  try {
    return await writeGeneration(connection, folder, spec.report, write, current, newer.newest, options.now);
  } finally {
    await connection.run('DROP TABLE IF EXISTS versions; DROP TABLE IF EXISTS kept');
  }
}

/**
 * Page files a query reads at most, and their bytes: DuckDB's memory in a query grows with both (measured on
 * bench figure 11's portals: 2,000 thread pages a query, 50,000 tickets, 430 MB; 250 and 4 MB, 338 MB; 100
 * files a query saves 50 MB more but takes six times as long).
 */
const FILES_A_BATCH = 250;
const BYTES_A_BATCH = 4 * 1024 * 1024;

/** A report's page files under its run folders, in batches (FILES_A_BATCH, BYTES_A_BATCH). */
async function fileBatches(runPaths: readonly string[], report: string): Promise<string[][]> {
  const [scope] = pagesUnderRun(report);
  const files: string[] = [];
  for (const run of runPaths) {
    const entries = await readdir(run, { withFileTypes: true, recursive: true });
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.jsonl')) continue;
      // Where pages lie one folder down (`ticket=…/`), only there, as the views' globs read them.
      if (scope !== '**' && entry.parentPath === run) continue;
      files.push(join(entry.parentPath, entry.name).replaceAll('\\', '/'));
    }
  }
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = (await stat(file)).size;
    if (batch.length > 0 && (bytes + size > BYTES_A_BATCH || batch.length >= FILES_A_BATCH)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The paths of the files page globs match, as DuckDB names them in `filename`. */
const filesOf = (globs: readonly string[]) => globs.map((glob) => `SELECT file FROM glob(${sqlString(glob)})`).join(' UNION ALL ');

/** Writes the folder's next generation (`write` makes its file), points to it, and removes all but it and the one before. */
async function writeGeneration(
  connection: DuckDBConnection,
  folder: string,
  name: string,
  write: (file: string) => Promise<void>,
  current: CurrentPointer | undefined,
  newest: string | undefined,
  now: number,
): Promise<CompactionResult> {
  const generation = `gen=${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  const file = generationFile(folder, name, generation);
  await mkdir(join(folder, CURRENT_PREFIX, name, generation), { recursive: true });
  await write(file.replaceAll('\\', '/'));
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

/** Tombstone rows of the tombstones' generation. */
export const tombstoneGenerationSelect = (folder: string, generation: string) =>
  `SELECT ${TOMBSTONE_COLUMNS.map((c) => `"${c}"`).join(', ')}, ${keyAsPath(folder)} AS "$path", dt FROM read_parquet(${sqlString(generationFile(folder, TOMBSTONES, generation).replaceAll('\\', '/'))})`;

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
  const sources = [...(current ? [tombstoneGenerationSelect(folder, current.generation)] : []), tombstoneFilesSelect(newer.globs)];
  const union = sources.join('\nUNION ALL\n');
  return writeGeneration(
    connection,
    folder,
    TOMBSTONES,
    (file) =>
      connection
        .run(
          `COPY (SELECT * REPLACE (${pathAsKey(folder, '"$path"')} AS "$path") FROM (${options.full ? `SELECT DISTINCT * FROM (${union}) AS every` : union}) AS t) TO ${sqlString(file)} (${PARQUET})`,
        )
        .then(() => undefined),
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
