import { readFile, stat } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { LocalWarehouse, type QueryResult } from '../analytics/local-warehouse.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_OUT, type CliContext } from './context.js';
import { table } from './output.js';

export type QueryFormat = 'table' | 'csv' | 'json';

/**
 * The export folder a command reads: the one `run` writes (--out, REPORTS_DIR, ./reports). `flagName` is the
 * command's own option for it (`query --out`, `report --from`), for the hint.
 */
export async function exportFolder(flag: string | undefined, context: CliContext, flagName = '--out'): Promise<string> {
  const folder = flag ?? context.env.REPORTS_DIR ?? DEFAULT_OUT;
  const found = await stat(folder).catch(() => undefined);
  if (!found?.isDirectory()) {
    throw new ConfigError(
      `There is no export in ${folder}: run \`zoho-desk-reports run\` (or \`run --simulate\`) first, or name the folder with ${flagName}.`,
    );
  }
  return folder;
}

/** Opens the folder's tables (one portal's rows, with `portal`) for `use`, and always closes them. */
export async function withWarehouse<T>(folder: string, use: (warehouse: LocalWarehouse) => Promise<T>, portal?: string): Promise<T> {
  const warehouse = await LocalWarehouse.open(folder, portal === undefined ? {} : { portal });
  try {
    return await use(warehouse);
  } finally {
    warehouse.close();
  }
}

const cell = (value: unknown): string =>
  value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

export function formatResult(result: QueryResult, format: QueryFormat): string {
  if (format === 'json') {
    const objects = result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])));
    return JSON.stringify(objects, null, 2);
  }
  const rows = result.rows.map((row) => row.map(cell));
  if (format === 'csv') return stringify([result.columns, ...rows]).trimEnd();
  return `${table(result.columns, rows, true)}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
}

async function readSqlFile(path: string): Promise<string> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(`Cannot read the SQL file ${path} (${error.code ?? error.message}).`);
  });
}

/** `query "<SQL>"`: the same tables and `<table>_latest` views as Athena, over the local export folder. */
export async function runQuery(
  given: string | undefined,
  options: { out?: string; file?: string; format: QueryFormat; portal?: string },
  context: CliContext,
): Promise<void> {
  if (given !== undefined && options.file) throw new ConfigError('Give the SQL as an argument or with --file, not both.');
  const sql = options.file ? await readSqlFile(options.file) : (given ?? '');
  if (!sql.trim())
    throw new ConfigError(
      'The query is empty: pass the SQL as one argument, e.g. query "SELECT status, count(*) FROM tickets_latest GROUP BY 1", or --file q.sql.',
    );
  const folder = await exportFolder(options.out, context);
  const result = await withWarehouse(folder, (warehouse) => warehouse.query(sql), options.portal);
  context.out.line(formatResult(result, options.format));
}
