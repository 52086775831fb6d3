import type { DuckDBConnection } from '@duckdb/node-api';
import { TOMBSTONE_PREFIX } from '../pipeline/tombstones.js';
import {
  generationFile,
  keyAsPath,
  newestOf,
  PARQUET,
  passOver,
  pathAsKey,
  readPointer,
  runGlobsAfter,
  sqlString,
  writeGeneration,
  type CompactionOptions,
  type CompactionResult,
} from './generations.js';
import type { CurrentPointer } from './compacted-views.js';
import { TOMBSTONES_TABLE } from './schema.js';
import { TOMBSTONE_COLUMNS } from './views.js';

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

/** No tombstone, with the tombstones' columns: the rows of an export none was written to yet. */
export const NO_TOMBSTONES = `SELECT ${TOMBSTONE_COLUMNS.map((c) => `CAST(NULL AS VARCHAR) AS "${c}"`).join(', ')}, CAST(NULL AS VARCHAR) AS "$path", CAST(NULL AS VARCHAR) AS dt WHERE false`;

/** The tombstones' generation (if any) and the files of `globs`. */
const sourcesOf = (folder: string, current: CurrentPointer | undefined, globs: readonly string[]) =>
  [...(current ? [tombstoneGenerationSelect(folder, current.generation)] : []), ...(globs.length ? [tombstoneFilesSelect(globs)] : [])].join(
    '\nUNION ALL\n',
  );

/** Every tombstone there is: those of the generation `current` names and the files of runs after it (none: no row). */
export async function tombstonesSelect(folder: string, current: CurrentPointer | undefined): Promise<string> {
  const newer = await runGlobsAfter(folder, TOMBSTONES, current?.through);
  return sourcesOf(folder, current, newer.globs) || NO_TOMBSTONES;
}

/** Every tombstone there is, from the folder's own pointer. */
export const everyTombstone = async (folder: string) => tombstonesSelect(folder, await readPointer(folder, TOMBSTONES));

/**
 * The tombstones' next generation: all of them (none is dropped: a view applies each against the versions it
 * has), from the last generation and the files of later runs.
 */
export async function compactTombstones(connection: DuckDBConnection, folder: string, options: CompactionOptions): Promise<CompactionResult> {
  const current = await readPointer(folder, TOMBSTONES);
  const newer = await runGlobsAfter(folder, TOMBSTONES, options.full ? undefined : current?.through);
  const through = newestOf(current?.through, newer.newest, options.horizon);
  if (newer.globs.length === 0) return passOver(folder, TOMBSTONES, TOMBSTONES_TABLE, current, through);
  const union = sourcesOf(folder, current, newer.globs);
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
    through as string,
    options.now,
  );
}
