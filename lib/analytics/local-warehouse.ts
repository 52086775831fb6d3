import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../errors.js';
import { ORG_ID } from '../pipeline/messages.js';
import { LAYOUT_KEY, parseLayout } from '../pipeline/portals.js';
import { TOMBSTONE_PREFIX } from '../pipeline/tombstones.js';
import { FIELD_METADATA_REPORT, findReport } from '../reports/catalog.js';
import { customFieldType, findTable, ROUTES_TABLE, TABLE_NAMES, TABLES, TOMBSTONES_TABLE, parentTable, type CustomField } from './schema.js';
import { generationSelect, pagesSelect, readPointer, runGlobsAfter } from './compaction.js';
import { NO_TOMBSTONES, tombstonesSelect } from './tombstone-compaction.js';
import { pageGlobs } from './page-globs.js';
import { DUCKDB, latestViewName, latestViewSql, rawTableName, routesViewSql, tableViewSql, TOMBSTONE_COLUMNS, type ViewInputs } from './views.js';
import { ROUTE_TARGET } from '../reports/sources.js';

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

/** The versions a latest view chooses from (internal: not in TABLE_NAMES). */
const currentName = (spec: { table: string }) => `${spec.table}_current`;

const sqlString = (value: string) => `'${value.replaceAll("'", "''")}'`;

const globList = (globs: readonly string[]) => `[${globs.map(sqlString).join(', ')}]`;

/** Every page line of a report (or of the route exports), in any scope folder; `_manifest.json` is not a page. */
async function rawSelect(folder: string, report: string): Promise<string> {
  // A report read per ticket, department or module has every page one folder down (ticket=…): a glob that says
  // so lists a folder per ticket faster than a recursive one.
  const scope = findReport(report)?.parent?.scope;
  const pages = scope && scope !== 'agent' ? `${scope}=*/*.jsonl` : '**/*.jsonl';
  const globs = await pageGlobs(folder, `${report}/`, pages);
  return `SELECT json AS record, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_ndjson_objects(${globList(globs)}, filename = true)`;
}

const rawTableSql = async (name: string, folder: string, report: string) => `CREATE VIEW "${name}" AS ${await rawSelect(folder, report)}`;

/** A report with no pages yet is an empty table, so queries and the report page still run. */
const emptyRawSql = (name: string) =>
  `CREATE VIEW "${name}" AS SELECT CAST(NULL AS VARCHAR) AS record, CAST(NULL AS VARCHAR) AS "$path", CAST(NULL AS VARCHAR) AS dt WHERE false`;

async function tombstonesSql(folder: string): Promise<string> {
  const globs = await pageGlobs(folder, TOMBSTONE_PREFIX, '*.jsonl');
  const columns = TOMBSTONE_COLUMNS.map((c) => `${sqlString(c)}: 'VARCHAR'`).join(', ');
  return `CREATE VIEW "${TOMBSTONES_TABLE}" AS SELECT ${TOMBSTONE_COLUMNS.map((c) => `"${c}"`).join(', ')}, filename AS "$path", regexp_extract(filename, '/dt=([^/]+)/', 1) AS dt
FROM read_json(${globList(globs)}, format = 'newline_delimited', columns = {${columns}}, filename = true, hive_partitioning = false)`;
}

const emptyTombstonesSql = () => `CREATE VIEW "${TOMBSTONES_TABLE}" AS ${NO_TOMBSTONES}`;

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
  const spec = findTable(FIELD_METADATA_REPORT.id);
  if (!spec) return out;
  const reader = await connection.runAndReadAll(
    `SELECT module_id, "apiName", "type" FROM "${latestViewName(spec)}" WHERE "isCustomField" AND "apiName" IS NOT NULL ORDER BY module_id, "apiName"`,
  );
  for (const [module, apiName, type] of reader.getRowsJson() as string[][]) {
    // Each portal's field once per module: a field two portals share (or type differently) is one column.
    if (!module || !apiName || out.get(module)?.some((f) => f.apiName.toLowerCase() === apiName.toLowerCase())) continue;
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

/** A view not yet made: what it reads, and how to make it. */
interface ViewPlan {
  needs: readonly string[];
  create(): Promise<void>;
}

/** SQL that asks the catalogue itself (which tables are there) sees every view. */
const CATALOGUE = /\b(information_schema|duckdb_(tables|views|columns)|show\s+(all\s+)?tables|describe)\b/i;

export class LocalWarehouse {
  /**
   * Views are made when a query first names them, with what they read: binding a view lists its files, and an
   * export has a folder per ticket, so a query over tickets does not wait for the threads' folders to be listed.
   */
  private readonly plans = new Map<string, ViewPlan>();
  private readonly made = new Set<string>();
  private custom: Promise<Map<string, CustomField[]>> | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly folder: string,
    /** the portal of the files written before portals (the export's layout), if any */
    private readonly legacyOrgId: string | undefined,
    /** one portal's rows alone, in every table and view (its org id) */
    private readonly portal: string | undefined,
  ) {
    this.plan();
  }

  /** The export's tables and views; with `portal` (an org id), one portal's rows alone in each. */
  static async open(folder: string, options: { portal?: string } = {}): Promise<LocalWarehouse> {
    if (options.portal !== undefined && !ORG_ID.test(options.portal)) {
      throw new ConfigError(
        `--portal takes a portal's org id (digits, as \`run\` prints it: "Portal … (org 123…)"), not "${options.portal.slice(0, 40)}".`,
      );
    }
    const root = resolve(folder);
    const layout = parseLayout(await readFile(join(root, LAYOUT_KEY), 'utf8').catch(() => undefined));
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    return new LocalWarehouse(instance, connection, root, layout?.legacyOrgId, options.portal);
  }

  private plan(): void {
    const { connection, folder } = this;
    const over = (sql: () => Promise<string>, empty: string) => async () => createOver(connection, await sql(), empty);
    const view = (name: string, sql: () => Promise<string> | string) => async () => {
      await connection.run(`CREATE VIEW "${name}" AS ${await sql()}`);
    };
    this.plans.set(TOMBSTONES_TABLE, {
      needs: [],
      create: async () => {
        // The compacted tombstones and the files of runs after them (compaction.ts), or, before any, every file.
        const pointer = await readPointer(folder, 'tombstones');
        if (!pointer) return over(() => tombstonesSql(folder), emptyTombstonesSql())();
        await connection.run(`CREATE VIEW "${TOMBSTONES_TABLE}" AS ${await tombstonesSelect(folder, pointer)}`);
      },
    });
    this.plans.set('routes_raw', { needs: [], create: over(() => rawTableSql('routes_raw', folder, ROUTE_TARGET), emptyRawSql('routes_raw')) });
    this.plans.set(ROUTES_TABLE, { needs: ['routes_raw'], create: view(ROUTES_TABLE, () => this.ofPortal(routesViewSql(DUCKDB, this.legacyOrgId))) });
    const metadata = findTable(FIELD_METADATA_REPORT.id);
    for (const spec of TABLES) {
      const raw = rawTableName(spec);
      // Field metadata first: the tables of a module take a column per custom field from it.
      const inputs = async () => ({
        customFields: spec.module ? ((await this.customFields()).get(spec.module) ?? []) : [],
        ...(this.legacyOrgId ? { legacyOrgId: this.legacyOrgId } : {}),
      });
      const needsMetadata = spec.module && metadata ? [latestViewName(metadata)] : [];
      this.plans.set(raw, { needs: [], create: over(() => rawTableSql(raw, folder, spec.report), emptyRawSql(raw)) });
      // Straight from the files, or from the empty raw table when there are none yet. Binding a view over the files
      // lists them (a folder per ticket): the latest view reads them itself rather than through the typed view.
      const typedFrom = async (name: string, sql: (typed: string, given: ViewInputs) => string) => {
        const given = await inputs();
        try {
          await connection.run(
            `CREATE VIEW "${name}" AS ${sql(tableViewSql(spec, DUCKDB, given, `(${await rawSelect(folder, spec.report)}) AS raw`), given)}`,
          );
        } catch (error) {
          if (!/No files found/i.test(String(error))) throw error;
          await this.make(raw);
          await connection.run(`CREATE VIEW "${name}" AS ${sql(tableViewSql(spec, DUCKDB, given), given)}`);
        }
      };
      this.plans.set(spec.table, { needs: needsMetadata, create: () => typedFrom(spec.table, (typed) => this.ofPortal(typed)) });
      // The versions the latest view chooses from: the compacted generation and the pages of later runs
      // (compaction.ts), or, before any compaction, every page.
      this.plans.set(currentName(spec), {
        needs: needsMetadata,
        create: async () => {
          const pointer = await readPointer(folder, spec.report);
          if (!pointer) return typedFrom(currentName(spec), (typed) => typed);
          const newer = await runGlobsAfter(folder, spec.report, pointer.through);
          const sources = [generationSelect(folder, spec.report, pointer.generation), ...(newer.globs.length ? [pagesSelect(newer.globs)] : [])];
          await connection.run(
            `CREATE VIEW "${currentName(spec)}" AS ${tableViewSql(spec, DUCKDB, await inputs(), `(${sources.join('\nUNION ALL\n')}) AS raw`)}`,
          );
        },
      });
      const parent = parentTable(spec);
      this.plans.set(latestViewName(spec), {
        needs: [...needsMetadata, TOMBSTONES_TABLE, currentName(spec), ...(parent ? [currentName(parent)] : [])],
        create: async () => {
          const given = { ...(await inputs()), ...(parent ? { parentVersions: `"${currentName(parent)}"` } : {}) };
          await connection.run(
            `CREATE VIEW "${latestViewName(spec)}" AS ${this.ofPortal(latestViewSql(spec, DUCKDB, given, `"${currentName(spec)}"`))}`,
          );
        },
      });
    }
  }

  /** A view's rows, of the one portal asked for (an org id: digits, checked when opened). */
  private ofPortal(sql: string): string {
    return this.portal === undefined ? sql : `SELECT * FROM (\n${sql}\n) AS of_portal WHERE org_id = '${this.portal}'`;
  }

  private customFields(): Promise<Map<string, CustomField[]>> {
    this.custom ??= customFieldsByModule(this.connection);
    return this.custom;
  }

  /** Makes a view and what it reads, once. */
  private async make(name: string): Promise<void> {
    const plan = this.plans.get(name);
    if (!plan || this.made.has(name)) return;
    for (const need of plan.needs) await this.make(need);
    await plan.create();
    this.made.add(name);
  }

  /** The views a query names (all of them when it asks the catalogue). */
  private async prepare(sql: string): Promise<void> {
    const names = CATALOGUE.test(sql) ? [...this.plans.keys()] : [...new Set(sql.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? [])];
    for (const name of names) await this.make(name);
  }

  /** Runs the user's SQL; an error from the engine becomes a ConfigError naming the tables there are. */
  async query(sql: string): Promise<QueryResult> {
    let reader;
    try {
      await this.prepare(sql);
      reader = await this.connection.runAndReadAll(sql);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/[.!]+$/, '');
      throw new ConfigError(
        `The query failed: ${reason}. Tables: ${TABLE_NAMES.join(', ')} (each report's also as <table>_latest and <table>_raw).`,
        { cause: error },
      );
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
