import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseLayout, LAYOUT_KEY } from '../pipeline/portals.js';
import {
  generationSelect,
  newestOf,
  PARQUET,
  passOver,
  pagesSelect,
  pagesUnderRun,
  pathAsKey,
  readPointer,
  runGlobsAfter,
  sqlString,
  writeGeneration,
  type CompactionOptions,
  type CompactionResult,
} from './generations.js';
import { snake, TABLES, TOMBSTONES_TABLE, type TableSpec } from './schema.js';
import { compactTombstones, everyTombstone } from './tombstone-compaction.js';
import { DUCKDB, goneJoinSql, stillThereSql, tableViewSql } from './views.js';

export { CURRENT_PREFIX, pointerSchema, type CurrentPointer } from './compacted-views.js';
export {
  generationFile,
  generationSelect,
  pagesSelect,
  pagesUnderRun,
  pointerPath,
  readPointer,
  runFolders,
  runGlobsAfter,
  type CompactionOptions,
  type CompactionResult,
} from './generations.js';

/**
 * Compaction (issue 15): each report's current state as one Parquet file (zstd) under `current/<report>/`, so
 * the latest views read that and only the pages of runs newer than it — their cost follows what changed, not
 * how many runs there have been. A generation holds, for every record, its version the latest view would
 * choose (newest by modifiedTime, then run) and its version from the newest run that saw it (what a tombstone
 * is compared with), as raw rows (`record`, `"$path"`, `dt`): the views type them as they type the page
 * files, so custom fields added later are columns there too. A record the latest view holds gone (by its own
 * rule, views.ts stillThereSql) is left out; the tombstones themselves are all kept and the views still apply
 * them, so a record that comes back is shown from the run that read it again.
 *
 * Each compaction takes the current generation and the pages of runs after it (`through`), writes a new
 * generation, then swaps the pointer (`current/<report>/_current.json`, written whole). The generation before
 * stays until the next compaction, for a query that began before the swap. Pages written into a run the
 * generation already covers (a page redriven days later) are read by a full compaction (`full`: the current
 * generation and every page file, each row once), which the redrive command asks for.
 */

/** DuckDB's memory while it compacts; beyond it, it works on disk. */
const COMPACTION_MEMORY = '64MB';
/** Rows of a generation read in one query. */
const ROWS_A_SLICE = 50_000;

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
  options: CompactionOptions & { legacyOrgId?: string },
): Promise<CompactionResult> {
  const current = await readPointer(folder, spec.report);
  const newer = await runGlobsAfter(folder, spec.report, options.full ? undefined : current?.through);
  const through = newestOf(current?.through, newer.newest, options.horizon);
  // No page after the current generation (or no page at all yet): it stands as it is.
  if (newer.globs.length === 0) return passOver(folder, spec.report, spec.report, current, through);
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
  const byKey = `PARTITION BY ${keys.join(', ')}`;
  // A record gone by the latest view's own rule (its tombstones against its newest version) is not kept: the
  // view would not show it, and a record that comes back is read again in a later run. Without it a generation
  // holds every record ever deleted (spam, a trashed ticket). Its children stay: a ticket restored unchanged
  // is not read again, so its threads are not either.
  await connection.run(`CREATE OR REPLACE TABLE kept AS SELECT DISTINCT ${picked.map((c) => `ranked.${c}`).join(', ')}, part FROM (
      SELECT * ${versioned ? `REPLACE (first_value(${versioned}) OVER (${byKey} ORDER BY ${latest}) AS ${versioned})` : ''},
        row_number() OVER (${byKey} ORDER BY ${latest}) AS by_version,
        row_number() OVER (${byKey} ORDER BY ${newestRun}) AS by_run,
        max("run_id") OVER (${byKey}) AS seen_in_run
      FROM versions
    ) AS ranked
    ${goneJoinSql(spec, DUCKDB, options.legacyOrgId, 'ranked')}
    WHERE (by_version = 1 OR by_run = 1) AND ${stillThereSql(spec, DUCKDB, 'ranked')}`);
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
    return await writeGeneration(connection, folder, spec.report, write, current, through as string, options.now);
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

/** Every report's next generation, in one DuckDB session (`full`: each from all its page files). */
export async function compactExport(folder: string, options: CompactionOptions): Promise<CompactionResult[]> {
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
    await connection.run(`CREATE TEMP VIEW "${TOMBSTONES_TABLE}" AS ${await everyTombstone(folder)}`);
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
