import { resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../errors.js';
import { TOMBSTONE_PREFIX } from '../pipeline/tombstones.js';
import { customFieldType, findTable, ROUTES_TABLE, TABLE_NAMES, TABLES, TOMBSTONES_TABLE, type CustomField, type TableSpec } from './schema.js';
import { DUCKDB, latestViewName, latestViewSql, rawTableName, routesViewSql, tableViewSql, TOMBSTONE_COLUMNS } from './views.js';

/**
 * The export folder as SQL, on this machine: DuckDB (embedded, in-process, reads JSON Lines directly, and
 * speaks nearly the same SQL as Athena) with the same tables and `<table>_latest` views as the Glue catalogue.
 * Nothing is copied or kept: each session reads the files as they are now.
 */

export interface QueryResult {
  columns: string[];
  /** JSON-ready values: numbers where exact, times as 'YYYY-MM-DD HH:MM:SS', everything else as DuckDB's JSON */
  rows: unknown[][];
}

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

/** Every page line of a report (or of the route exports), in any scope folder; `_manifest.json` is not a page. */
function rawTableSql(name: string, folder: string, report: string): string {
  const glob = `${folder.replaceAll('\\', '/')}/${report}/dt=*/run=*/**/*.jsonl`;
  return `CREATE VIEW "${name}" AS SELECT json AS record, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_ndjson_objects(${sqlString(glob)}, filename = true)`;
}

/** A report with no pages yet is an empty table, so queries and the report page still run. */
const emptyRawSql = (name: string) =>
  `CREATE VIEW "${name}" AS SELECT CAST(NULL AS VARCHAR) AS record, CAST(NULL AS VARCHAR) AS "$path", CAST(NULL AS VARCHAR) AS dt WHERE false`;

function tombstonesSql(folder: string): string {
  const glob = `${folder.replaceAll('\\', '/')}/${TOMBSTONE_PREFIX}dt=*/run=*/*.jsonl`;
  const columns = TOMBSTONE_COLUMNS.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
  return `CREATE VIEW "${TOMBSTONES_TABLE}" AS SELECT ${TOMBSTONE_COLUMNS.map((c) => `"${c}"`).join(', ')}, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_json(${sqlString(glob)}, format = 'newline_delimited', columns = {${columns}}, filename = true, hive_partitioning = false)`;
}

const emptyTombstonesSql = () =>
  `CREATE VIEW "${TOMBSTONES_TABLE}" AS SELECT ${TOMBSTONE_COLUMNS.map((c) => `CAST(NULL AS VARCHAR) AS "${c}"`).join(', ')}, CAST(NULL AS VARCHAR) AS "$path", CAST(NULL AS VARCHAR) AS dt WHERE false`;

/** Creates a view over files, or its empty stand-in when there are none yet. */
async function createOver(connection: DuckDBConnection, sql: string, empty: string): Promise<void> {
  try {
    await connection.run(sql);
  } catch (error) {
    if (!/No files found/i.test(String(error))) throw error;
    await connection.run(empty);
  }
}

/**
 * The custom fields of each module, from the newest field metadata the export holds (the organization-fields
 * report, read every run): each becomes a typed `cf_…` column of the tables whose records carry it.
 */
async function customFieldsByModule(connection: DuckDBConnection): Promise<Map<string, CustomField[]>> {
  const out = new Map<string, CustomField[]>();
  const spec = findTable('organization-fields');
  if (!spec) return out;
  const reader = await connection.runAndReadAll(
    `SELECT module_id, "apiName", "type" FROM "${latestViewName(spec)}" WHERE "isCustomField" AND "apiName" IS NOT NULL ORDER BY module_id, "apiName"`,
  );
  for (const [module, apiName, type] of reader.getRowsJson() as string[][]) {
    if (!module || !apiName) continue;
    out.set(module, [...(out.get(module) ?? []), { apiName, type: customFieldType(type ?? '') }]);
  }
  return out;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL\(.*\))$/;

function jsonValue(value: unknown, type: string): unknown {
  if (typeof value === 'string' && NUMERIC.test(type)) {
    const number = Number(value);
    // A number JavaScript cannot hold exactly stays a string (a Zoho id summed or cast by a query).
    if (Number.isFinite(number) && (type.startsWith('DECIMAL') || Number.isSafeInteger(number))) return number;
  }
  return value;
}

export class LocalWarehouse {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly folder: string,
  ) {}

  static async open(folder: string): Promise<LocalWarehouse> {
    const root = resolve(folder);
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    await createOver(connection, tombstonesSql(root), emptyTombstonesSql());
    await createOver(connection, rawTableSql('routes_raw', root, 'route'), emptyRawSql('routes_raw'));
    await connection.run(`CREATE VIEW "${ROUTES_TABLE}" AS ${routesViewSql(DUCKDB)}`);
    // Field metadata first: the other tables take their custom-field columns from it.
    const ordered = [...TABLES].sort((a, b) => Number(b.report === 'organization-fields') - Number(a.report === 'organization-fields'));
    let custom = new Map<string, CustomField[]>();
    const fieldsOf = (spec: TableSpec) => (spec.module ? (custom.get(spec.module) ?? []) : []);
    for (const spec of ordered) {
      await createOver(connection, rawTableSql(rawTableName(spec), root, spec.report), emptyRawSql(rawTableName(spec)));
      await connection.run(`CREATE VIEW "${spec.table}" AS ${tableViewSql(spec, DUCKDB, fieldsOf(spec))}`);
      if (spec.report === 'organization-fields') {
        await connection.run(`CREATE VIEW "${latestViewName(spec)}" AS ${latestViewSql(spec, DUCKDB)}`);
        custom = await customFieldsByModule(connection);
      }
    }
    // The latest views last: a ticket's threads look at the tickets.
    for (const spec of ordered) {
      if (spec.report !== 'organization-fields') await connection.run(`CREATE VIEW "${latestViewName(spec)}" AS ${latestViewSql(spec, DUCKDB, fieldsOf(spec))}`);
    }
    return new LocalWarehouse(instance, connection, root);
  }

  /** Runs the user's SQL; an error from the engine becomes a ConfigError naming the tables there are. */
  async query(sql: string): Promise<QueryResult> {
    let reader;
    try {
      reader = await this.connection.runAndReadAll(sql);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/[.!]+$/, '');
      throw new ConfigError(`The query failed: ${reason}. Tables: ${TABLE_NAMES.join(', ')} (each report's also as <table>_latest and <table>_raw).`, { cause: error });
    }
    const types = reader.columnTypes().map(String);
    return {
      columns: reader.columnNames(),
      rows: reader.getRowsJson().map((row) => row.map((value, i) => jsonValue(value, types[i] ?? ''))),
    };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
