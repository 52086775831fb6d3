import { RECORD_HASH, snake, tableName, TOMBSTONES_TABLE, type CustomField, type FieldType, type TableSpec } from './schema.js';

/**
 * The views, written once for both engines. Each `<table>_raw` (a Glue table in Athena, a DuckDB view over the
 * folder here) has `record` (a page line's JSON text), `dt` and `"$path"` (the file a row came from: Athena's
 * own pseudo-column, which the local tables reproduce); everything else is SQL over those, so only the JSON
 * and time functions differ between the two dialects.
 */
export interface Dialect {
  /** a JSON value at `path` (field names) as text: a string's characters, a number's digits; NULL when absent */
  text(path: readonly string[]): string;
  /** the JSON at `path` as JSON text (objects, arrays) */
  json(path: readonly string[]): string;
  /** the JSON array at `path` as an array of strings */
  strings(path: readonly string[]): string;
  /** a time as Zoho sends it (ISO 8601 with its offset, or epoch milliseconds) as a UTC timestamp; NULL when malformed */
  parseTime(expression: string): string;
  /** a quoted identifier: Athena's catalogue holds names in lower case, so its SQL says them that way */
  ident(name: string): string;
  /** the md5 of a text's UTF-8 bytes, lower-case hex (catalog.ts contentHash) */
  md5(expression: string): string;
  /**
   * The raw rows as the field expressions read them. DuckDB parses each record once into `j` (its JSON functions
   * would parse the whole record again for every field); Athena reads `record` as it is.
   */
  parsed(source: string, fields: ReadonlyArray<{ name: string; json: boolean }>): string;
}

const SIMPLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EPOCH_MS = '^[0-9]{10,}$';

export const ATHENA: Dialect = {
  parsed: (source) => source,
  text: (path) => `json_extract_scalar(record, '${athenaPath(path)}')`,
  json: (path) => `json_format(json_extract(record, '${athenaPath(path)}'))`,
  strings: (path) => `try_cast(json_extract(record, '${athenaPath(path)}') AS array(varchar))`,
  parseTime: (e) =>
    `CASE WHEN regexp_like(${e}, '${EPOCH_MS}') THEN CAST(from_unixtime(CAST(${e} AS bigint) / 1000e0) AT TIME ZONE 'UTC' AS timestamp(3)) ` +
    `ELSE try(CAST(from_iso8601_timestamp(NULLIF(${e}, '')) AT TIME ZONE 'UTC' AS timestamp(3))) END`,
  ident: (name) => `"${name.toLowerCase()}"`,
  md5: (e) => `lower(to_hex(md5(to_utf8(${e}))))`,
};

const top = (name: string) => `j."${name.replaceAll('"', '')}"`;

export const DUCKDB: Dialect = {
  parsed: (source, fields) => {
    // No field to parse (compaction ranking records by their parent and content hash alone): nothing to read.
    if (fields.length === 0) return `(SELECT * FROM ${source}) AS parsed`;
    const structure = JSON.stringify(Object.fromEntries(fields.map((f) => [f.name, f.json ? 'JSON' : 'VARCHAR'])));
    return `(SELECT *, from_json(record, '${structure.replaceAll("'", "''")}') AS j FROM ${source}) AS parsed`;
  },
  text: ([first = '', ...rest]) => (rest.length ? `json_extract_string(${top(first)}, '${duckPath(rest)}')` : top(first)),
  json: ([first = '', ...rest]) => `CAST(${rest.length ? `json_extract(${top(first)}, '${duckPath(rest)}')` : top(first)} AS VARCHAR)`,
  strings: ([first = '']) => `TRY_CAST(${top(first)} AS VARCHAR[])`,
  // The connection's time zone is UTC, so the offset is applied and the wall clock is UTC.
  parseTime: (e) =>
    `CASE WHEN regexp_matches(${e}, '${EPOCH_MS}') THEN epoch_ms(TRY_CAST(${e} AS BIGINT)) ` +
    `ELSE TRY_CAST(TRY_CAST(NULLIF(${e}, '') AS TIMESTAMPTZ) AS TIMESTAMP) END`,
  ident: (name) => `"${name}"`,
  md5: (e) => `md5(${e})`,
};

function athenaPath(path: readonly string[]): string {
  return `$${path.map((p) => (SIMPLE.test(p) ? `.${p}` : `["${p.replaceAll('"', '')}"]`)).join('')}`;
}

function duckPath(path: readonly string[]): string {
  return `$${path.map((p) => (SIMPLE.test(p) ? `.${p}` : `."${p.replaceAll('"', '')}"`)).join('')}`;
}

/** A column of a view, with its type in both engines' vocabularies. */
export interface ViewColumn {
  name: string;
  /** Athena (Trino) type, as a Presto view declares it */
  engineType: 'varchar' | 'bigint' | 'double' | 'boolean' | 'date' | 'timestamp(3)' | 'array(varchar)';
  /** the Glue catalogue's (Hive) type */
  hiveType: 'string' | 'bigint' | 'double' | 'boolean' | 'date' | 'timestamp' | 'array<string>';
}

const HIVE = {
  varchar: 'string',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  date: 'date',
  'timestamp(3)': 'timestamp',
  'array(varchar)': 'array<string>',
} as const;

const column = (name: string, engineType: ViewColumn['engineType']): ViewColumn => ({ name, engineType, hiveType: HIVE[engineType] });

interface Projection {
  expression: string;
  column: ViewColumn;
}

/** What a view is built with besides its table: a column per custom field, and the portal of the legacy layout. */
export interface ViewInputs {
  customFields?: readonly CustomField[];
  /** the portal whose files have no `org=` folder: they were written before portals (pipeline/portals.ts) */
  legacyOrgId?: string;
  /** where the parents' versions are read to tell a dead parent (default: their table; locally, its current state) */
  parentVersions?: string;
}

/**
 * The portal (Zoho org) a row came from: its file's `org=` folder, or the legacy portal for a file written
 * before portals. NULL where neither is known (an export not yet adopted: it has one portal).
 */
export function orgIdSql(legacyOrgId: string | undefined): string {
  // Trino's regexp_extract gives NULL for no match, DuckDB's an empty string: NULLIF makes both NULL.
  const inPath = `NULLIF(regexp_extract("$path", '/org=([^/]+)/', 1), '')`;
  // The id is digits (the layout's schema checks it): safe inside the SQL.
  return legacyOrgId ? `COALESCE(${inPath}, '${legacyOrgId}')` : inPath;
}

/** One field's typed value. Ids stay text: they exceed 2^53. */
function typed(type: FieldType, path: readonly string[], dialect: Dialect): { expression: string; engineType: ViewColumn['engineType'] } {
  const text = dialect.text(path);
  switch (type) {
    case 'integer':
      return { expression: `try_cast(${text} AS bigint)`, engineType: 'bigint' };
    case 'decimal':
      return { expression: `try_cast(${text} AS double)`, engineType: 'double' };
    case 'boolean':
      return { expression: `try_cast(${text} AS boolean)`, engineType: 'boolean' };
    case 'date':
      return { expression: `try_cast(${text} AS date)`, engineType: 'date' };
    case 'time':
      return { expression: dialect.parseTime(text), engineType: 'timestamp(3)' };
    case 'json':
      return { expression: dialect.json(path), engineType: 'varchar' };
    case 'string[]':
      return { expression: dialect.strings(path), engineType: 'array(varchar)' };
    default:
      return { expression: text, engineType: 'varchar' };
  }
}

/**
 * What the all-versions view selects: each documented field typed (a time as Zoho's text under its own name and
 * parsed as `snake_case`; a person object also flat, `agent_id`), each custom field, the parent, the whole
 * record, the run, the day and the source file.
 */
function projections(spec: TableSpec, dialect: Dialect, inputs: ViewInputs): Projection[] {
  const customFields = inputs.customFields ?? [];
  const out: Projection[] = [];
  const times: Projection[] = [];
  for (const field of spec.fields) {
    if (field.type === 'time') {
      out.push({ expression: dialect.text([field.name]), column: column(field.name, 'varchar') });
      times.push({ expression: dialect.parseTime(dialect.text([field.name])), column: column(snake(field.name), 'timestamp(3)') });
      continue;
    }
    const { expression, engineType } = typed(field.type, [field.name], dialect);
    out.push({ expression, column: column(field.name, engineType) });
    for (const sub of field.flatten ?? []) {
      out.push({ expression: dialect.text([field.name, sub]), column: column(`${snake(field.name)}_${snake(sub)}`, 'varchar') });
    }
  }
  out.push(...times);
  const taken = new Set(out.map((p) => p.column.name.toLowerCase()));
  for (const field of customFields) {
    if (taken.has(field.apiName.toLowerCase()) || !/^cf_/i.test(field.apiName)) continue;
    taken.add(field.apiName.toLowerCase());
    const { expression, engineType } = typed(field.type, ['cf', field.apiName], dialect);
    out.push({ expression, column: column(field.apiName, engineType) });
  }
  if (spec.parent) {
    out.push({ expression: `regexp_extract("$path", '/${spec.parent.scope}=([^/]+)/', 1)`, column: column(spec.parent.column, 'varchar') });
  }
  // The record as Zoho sent it: every field, including any Zoho adds after this was written.
  out.push({ expression: 'record', column: column('record', 'varchar') });
  // A record with no id of its own is identified by its content (a ticket's history event).
  if (spec.contentKey) out.push({ expression: dialect.md5('record'), column: column(RECORD_HASH, 'varchar') });
  out.push({ expression: orgIdSql(inputs.legacyOrgId), column: column('org_id', 'varchar') });
  out.push({ expression: `regexp_extract("$path", '/run=([^/]+)/', 1)`, column: column('run_id', 'varchar') });
  out.push({ expression: 'dt', column: column('dt', 'varchar') });
  // which file the version came from: the way back to the raw JSON
  out.push({ expression: '"$path"', column: column('source_file', 'varchar') });
  return out;
}

export const rawTableName = (spec: Pick<TableSpec, 'table'>) => `${spec.table}_raw`;
export const latestViewName = (spec: Pick<TableSpec, 'table'>) => `${spec.table}_latest`;

/** The all-versions view's columns, in order, lower-cased as Athena stores them. */
export function tableViewColumns(spec: TableSpec, inputs: ViewInputs = {}): ViewColumn[] {
  return projections(spec, DUCKDB, inputs).map((p) => ({ ...p.column, name: p.column.name.toLowerCase() }));
}

/** The latest view has the same columns as the all-versions view. */
export const latestViewColumns = tableViewColumns;

/** Every version of every record, one row per line of each page file, typed. */
export function tableViewSql(spec: TableSpec, dialect: Dialect, inputs: ViewInputs = {}, source = dialect.ident(rawTableName(spec))): string {
  const selected = projections(spec, dialect, inputs)
    .map((p) => `  ${p.expression} AS ${dialect.ident(p.column.name)}`)
    .join(',\n');
  // What the field expressions read: each field at the top of the record, objects (and `cf`) as JSON.
  const read = new Map(spec.fields.map((f) => [f.name, f.type === 'json' || f.type === 'string[]']));
  if (inputs.customFields?.length) read.set('cf', true);
  return [
    'SELECT',
    selected,
    `FROM ${dialect.parsed(
      source,
      [...read].map(([name, json]) => ({ name, json })),
    )}`,
  ].join('\n');
}

/** The records of `report` gone, per portal, as of their newest tombstone's run: `gone_org`, `gone_id`, `gone_in_run`. */
function goneSql(report: string, dialect: Dialect, legacyOrgId: string | undefined): string {
  const t = (name: string) => dialect.ident(name);
  const org = orgIdSql(legacyOrgId);
  return (
    `SELECT ${org} AS gone_org, ${t('id')} AS gone_id, max(${t('runId')}) AS gone_in_run, max(${t('deletedTime')}) AS gone_at ` +
    `FROM ${t(TOMBSTONES_TABLE)} WHERE ${t('report')} = '${report}' GROUP BY ${org}, ${t('id')}`
  );
}

/** Each version (`versions`, its record's key and org) with its record's tombstones (`gone`: goneSql). */
export function goneJoinSql(spec: TableSpec, dialect: Dialect, legacyOrgId: string | undefined, versions = 'versions'): string {
  const t = (name: string) => dialect.ident(name);
  const keyOfVersion = spec.key.map((k) => `${versions}.${t(k)}`).join(` || '/' || `);
  return [
    `LEFT JOIN (${goneSql(spec.report, dialect, legacyOrgId)}) AS gone`,
    `  ON gone.gone_id = ${keyOfVersion} AND gone.gone_org IS NOT DISTINCT FROM ${versions}.${t('org_id')}`,
  ].join('\n');
}

/**
 * Whether a record is there now, from its newest version (`versions`, with `seen_in_run`: the newest run that
 * read the record) and its tombstones (`gone`, goneJoinSql): none from the run that last saw it or later.
 * Compaction drops the records it says are gone by the same rule (compaction.ts).
 */
export function stillThereSql(spec: TableSpec, dialect: Dialect, versions = 'versions'): string {
  const t = (name: string) => dialect.ident(name);
  // Seen in the very run that saw it deleted: the version wins when it is newer than the deletion (restored and
  // edited while the run went on).
  const tie = spec.versionedBy
    ? ` OR (gone.gone_in_run = ${versions}.seen_in_run AND ${versions}.${t(snake(spec.versionedBy))} > ${dialect.parseTime('gone.gone_at')})`
    : '';
  return `(gone.gone_in_run IS NULL OR gone.gone_in_run < ${versions}.seen_in_run${tie})`;
}

/** Parents gone now (tickets, calls), per portal: tombstoned in or after the run that last read them (one read again later is back). */
function deadParentsSql(report: string, dialect: Dialect, legacyOrgId: string | undefined, versions = dialect.ident(tableName(report))): string {
  const t = (name: string) => dialect.ident(name);
  return [
    `SELECT gone.gone_org AS dead_org, gone.gone_id AS dead_id FROM (${goneSql(report, dialect, legacyOrgId)}) AS gone`,
    `  LEFT JOIN (SELECT ${t('org_id')} AS seen_org, ${t('id')} AS seen_id, max(${t('run_id')}) AS seen_in_run FROM ${versions} GROUP BY ${t('org_id')}, ${t('id')}) AS seen`,
    '    ON seen.seen_id = gone.gone_id AND seen.seen_org IS NOT DISTINCT FROM gone.gone_org',
    '  WHERE seen.seen_in_run IS NULL OR gone.gone_in_run >= seen.seen_in_run',
  ].join('\n');
}

/**
 * Each portal as it is now: the newest version of each record of a portal — by `versionedBy` (modifiedTime)
 * where the record has one, then by the newest run (run ids sort by their UTC time) and the last file — unless a tombstone from the
 * run that last saw the record, or a later one, says it left. A record read again after its tombstone (restored,
 * back in the queue) is back. A ticket's threads, time entries and approvals leave with a deleted ticket.
 */
export function latestViewSql(spec: TableSpec, dialect: Dialect, inputs: ViewInputs = {}, versionsFrom = dialect.ident(spec.table)): string {
  const t = (name: string) => dialect.ident(name);
  const columns = projections(spec, dialect, inputs).map((p) => `versions.${t(p.column.name)}`);
  // By run before file: a file of the legacy layout (no org= folder) sorts apart from its portal's others.
  const order = [
    ...(spec.versionedBy ? [`${t(snake(spec.versionedBy))} DESC NULLS LAST`] : []),
    `${t('run_id')} DESC`,
    `${t('source_file')} DESC`,
  ].join(', ');
  const key = [t('org_id'), ...spec.key.map(t)].join(', ');
  const lines = [
    'SELECT',
    columns.map((c) => `  ${c}`).join(',\n'),
    'FROM (',
    `  SELECT *, row_number() OVER (PARTITION BY ${key} ORDER BY ${order}) AS version_rank,`,
    `    max(${t('run_id')}) OVER (PARTITION BY ${key}) AS seen_in_run`,
    `  FROM ${versionsFrom}`,
    ') AS versions',
    goneJoinSql(spec, dialect, inputs.legacyOrgId),
  ];
  const where = ['versions.version_rank = 1', stillThereSql(spec, dialect)];
  if (spec.leavesWith) {
    lines.push(
      `LEFT JOIN (\n${deadParentsSql(spec.leavesWith.report, dialect, inputs.legacyOrgId, inputs.parentVersions)}\n) AS dead`,
      `  ON dead.dead_id = versions.${t(spec.leavesWith.column)} AND dead.dead_org IS NOT DISTINCT FROM versions.${t('org_id')}`,
    );
    where.push('dead.dead_id IS NULL');
  }
  lines.push(`WHERE ${where.join('\n  AND ')}`);
  return lines.join('\n');
}

/** The tombstones' columns (written by the pipeline, so typed at the source). */
export const TOMBSTONE_COLUMNS = ['report', 'id', 'parentId', 'deletedTime', 'runId', 'source'] as const;

/** Every on-demand route export, one row per record: the route (its folder), the record's JSON, run and day. */
export function routesViewSql(dialect: Dialect, legacyOrgId?: string): string {
  const t = (name: string) => dialect.ident(name);
  return [
    'SELECT',
    `  regexp_extract("$path", '/route=([^/]+)/', 1) AS ${t('route')},`,
    // the query as asked (URL-encoded in the folder name); empty for a route asked without parameters
    `  url_decode(NULLIF(regexp_extract("$path", '/params=([^/]+)/', 1), '')) AS ${t('params')},`,
    `  ${dialect.text(['id'])} AS ${t('id')},`,
    `  record AS ${t('record')},`,
    `  ${orgIdSql(legacyOrgId)} AS ${t('org_id')},`,
    `  regexp_extract("$path", '/run=([^/]+)/', 1) AS ${t('run_id')},`,
    `  dt AS ${t('dt')},`,
    `  "$path" AS ${t('source_file')}`,
    `FROM ${dialect.parsed(t('routes_raw'), [{ name: 'id', json: false }])}`,
  ].join('\n');
}

export const ROUTES_VIEW_COLUMNS: ViewColumn[] = ['route', 'params', 'id', 'record', 'org_id', 'run_id', 'dt', 'source_file'].map((name) =>
  column(name, 'varchar'),
);
