import { resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../errors.js';
import { columnType, TABLES, type TableSpec } from './schema.js';
import { DUCKDB, latestViewName, latestViewSql } from './views.js';

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

/** DuckDB reads every page of the report, in any scope folder; `_manifest.json` is not a page. */
function baseTableSql(spec: TableSpec, folder: string): string {
  const glob = `${folder.replaceAll('\\', '/')}/${spec.report}/dt=*/run=*/**/*.jsonl`;
  const columns = spec.columns.map((c) => `${sqlString(c.name)}: ${sqlString(columnType(c.type, 'duckdb'))}`).join(', ');
  const selected = spec.columns.map((c) => `"${c.name}"`).join(', ');
  return `CREATE VIEW "${spec.table}" AS SELECT ${selected}, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_json(${sqlString(glob)}, format = 'newline_delimited', columns = {${columns}}, filename = true, hive_partitioning = false)`;
}

/** A report with no pages yet is an empty table, so queries and the report page still run. */
function emptyTableSql(spec: TableSpec): string {
  const columns = spec.columns.map((c) => `CAST(NULL AS ${columnType(c.type, 'duckdb')}) AS "${c.name}"`).join(', ');
  return `CREATE VIEW "${spec.table}" AS SELECT ${columns}, CAST(NULL AS VARCHAR) AS "$path", CAST(NULL AS VARCHAR) AS dt WHERE false`;
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
    for (const spec of TABLES) {
      try {
        await connection.run(baseTableSql(spec, root));
      } catch (error) {
        if (!/No files found/i.test(String(error))) throw error;
        await connection.run(emptyTableSql(spec));
      }
      await connection.run(`CREATE VIEW "${latestViewName(spec)}" AS ${latestViewSql(spec, DUCKDB)}`);
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
      throw new ConfigError(`The query failed: ${reason}. Tables: ${TABLES.map((t) => t.table).join(', ')} (each also as <table>_latest).`, { cause: error });
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
