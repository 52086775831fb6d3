import * as z from 'zod';
import { RUN_ID, runDate } from '../pipeline/keys.js';
import type { TableSpec } from './schema.js';
import { latestViewSql, rawTableName, tableViewSql, type Dialect, type ViewInputs } from './views.js';

/**
 * Athena's latest views over the compacted state (issue 15): each report's current generation (Parquet under
 * `current/<report>/gen=…/`, the `<table>_compacted` table) and only the pages of runs after it. The generation
 * and its last run are literals in the view — the partition of the generation and the days of the pages are
 * pruned on them — so the views are replaced each time compaction moves on (the compactor, and the scheduler
 * with the custom fields). A view left behind by a compaction is still right: the generation before stays, and
 * the pages it names are kept long after.
 */

export const CURRENT_PREFIX = 'current/';

/** A report's pointer to its current generation, `current/<report>/_current.json` (written whole, compaction.ts). */
export const pointerSchema = z.object({
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

export const compactedTableName = (spec: Pick<TableSpec, 'table'>) => `${spec.table}_compacted`;

/** A report's generation as its pointer names it (compaction.ts). */
export interface CompactedGeneration {
  generation: string;
  /** the newest run whose pages it holds */
  through: string;
}

const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;

/**
 * The raw rows (`record`, `"$path"`, `dt`) the latest view chooses from: the generation's, each named by its
 * page's key under `location` (the bucket, `s3://…/`) as the pages' own rows are, and the pages of later runs.
 */
export function compactedRawSql(spec: TableSpec, dialect: Dialect, current: CompactedGeneration, location: string): string {
  const t = (name: string) => dialect.ident(name);
  return [
    `SELECT record, ${literal(location)} || page AS "$path", dt FROM ${t(compactedTableName(spec))} WHERE gen = ${literal(current.generation)}`,
    'UNION ALL',
    `SELECT record, "$path", dt FROM ${t(rawTableName(spec))}`,
    `  WHERE dt >= ${literal(runDate(current.through))} AND regexp_extract("$path", '/run=([^/]+)/', 1) > ${literal(current.through)}`,
  ].join('\n');
}

/** The latest view of a compacted report: as latestViewSql, over the generation and the pages after it. */
export function compactedLatestViewSql(
  spec: TableSpec,
  dialect: Dialect,
  inputs: ViewInputs,
  current: CompactedGeneration,
  location: string,
): string {
  const versions = tableViewSql(spec, dialect, inputs, `(\n${compactedRawSql(spec, dialect, current, location)}\n) AS raw`);
  return latestViewSql(spec, dialect, inputs, `(\n${versions}\n) AS compacted_versions`);
}
