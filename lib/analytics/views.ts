import { snake, type ColumnType, type TableSpec } from './schema.js';

/**
 * The `<table>_latest` views, written once for both engines. Each base table (a Glue table in Athena, a
 * DuckDB view over the folder on this machine) has the report's columns plus `dt` and `"$path"` (the file a
 * row came from: Athena's own pseudo-column, which the local tables reproduce), so only parsing a time
 * differs between the two dialects.
 */
export interface Dialect {
  /** an ISO 8601 string (Zoho's times, with their offset) as a UTC timestamp; NULL when empty or malformed */
  parseTime(expression: string): string;
  /** a quoted identifier: Athena's catalogue holds names in lower case, so its SQL says them that way */
  ident(name: string): string;
}

export const ATHENA: Dialect = {
  parseTime: (e) => `try(CAST(from_iso8601_timestamp(NULLIF(${e}, '')) AT TIME ZONE 'UTC' AS timestamp(3)))`,
  ident: (name) => `"${name.toLowerCase()}"`,
};

export const DUCKDB: Dialect = {
  // The connection's time zone is UTC, so the offset is applied and the wall clock is UTC.
  parseTime: (e) => `TRY_CAST(TRY_CAST(NULLIF(${e}, '') AS TIMESTAMPTZ) AS TIMESTAMP)`,
  ident: (name) => `"${name}"`,
};

/** A column of a latest view, with its type in both engines' vocabularies. */
export interface ViewColumn {
  name: string;
  /** Athena (Trino) type, as a Presto view declares it */
  engineType: 'varchar' | 'boolean' | 'timestamp(3)' | 'array(varchar)';
  /** the Glue catalogue's (Hive) type */
  hiveType: 'string' | 'boolean' | 'timestamp' | 'array<string>';
}

const HIVE = { varchar: 'string', boolean: 'boolean', 'timestamp(3)': 'timestamp', 'array(varchar)': 'array<string>' } as const;

const column = (name: string, engineType: ViewColumn['engineType']): ViewColumn => ({ name, engineType, hiveType: HIVE[engineType] });

function scalarType(type: ColumnType): ViewColumn['engineType'] {
  return type === 'boolean' ? 'boolean' : type === 'string[]' ? 'array(varchar)' : 'varchar';
}

interface Projection {
  expression: string;
  column: ViewColumn;
}

/** What a latest view selects: the report's columns (structs flattened), parsed times, parent, run and day. */
function projections(spec: TableSpec, dialect: Dialect): Projection[] {
  const out: Projection[] = [];
  for (const c of spec.columns) {
    if (typeof c.type === 'object') {
      // agent {id, name} → agent_id, agent_name: flat columns read the same in every tool
      for (const field of c.type.struct) {
        out.push({ expression: `${dialect.ident(c.name)}.${dialect.ident(field)}`, column: column(`${snake(c.name)}_${snake(field)}`, 'varchar') });
      }
      continue;
    }
    out.push({ expression: dialect.ident(c.name), column: column(c.name, scalarType(c.type)) });
  }
  for (const c of spec.columns) {
    if (c.time) out.push({ expression: dialect.parseTime(dialect.ident(c.name)), column: column(snake(c.name), 'timestamp(3)') });
  }
  if (spec.parent) {
    out.push({ expression: `regexp_extract(source_file, '/${spec.parent.scope}=([^/]+)/', 1)`, column: column(spec.parent.column, 'varchar') });
  }
  out.push({ expression: `regexp_extract(source_file, '/run=([^/]+)/', 1)`, column: column('run_id', 'varchar') });
  out.push({ expression: 'dt', column: column('dt', 'varchar') });
  // which file the version came from: the way back to the raw JSON
  out.push({ expression: 'source_file', column: column('source_file', 'varchar') });
  return out;
}

export function latestViewName(spec: TableSpec): string {
  return `${spec.table}_latest`;
}

/** The view's columns, in order, lower-cased as Athena stores them. */
export function latestViewColumns(spec: TableSpec): ViewColumn[] {
  return projections(spec, DUCKDB).map((p) => ({ ...p.column, name: p.column.name.toLowerCase() }));
}

/**
 * The newest version of each record across runs: by `versionedBy` (modifiedTime) where the record has one,
 * then by the newest file — paths sort by day, then run id (a UTC time), so the newest run wins a tie.
 */
export function latestViewSql(spec: TableSpec, dialect: Dialect): string {
  const selected = projections(spec, dialect)
    .map((p) => `  ${p.expression} AS ${dialect.ident(p.column.name)}`)
    .join(',\n');
  const order = [
    ...(spec.versionedBy ? [`${dialect.parseTime(dialect.ident(spec.versionedBy))} DESC NULLS LAST`] : []),
    '"$path" DESC',
  ].join(', ');
  const key = spec.key.map(dialect.ident).join(', ');
  return [
    'SELECT',
    selected,
    'FROM (',
    // Athena's "$path" is hidden from `*`, so it is named explicitly
    `  SELECT *, "$path" AS source_file, row_number() OVER (PARTITION BY ${key} ORDER BY ${order}) AS version_rank`,
    `  FROM ${dialect.ident(spec.table)}`,
    ') AS versions',
    'WHERE version_rank = 1',
  ].join('\n');
}
