import { TOMBSTONE_PREFIX } from '../pipeline/tombstones.js';
import { compactedTableName, CURRENT_PREFIX } from './compacted-views.js';
import { prestoViewJson } from './presto-view.js';
import { parentTable, ROUTES_TABLE, TABLES, TOMBSTONES_TABLE, type TableSpec } from './schema.js';
import {
  ATHENA,
  latestViewColumns,
  latestViewName,
  latestViewSql,
  rawTableName,
  ROUTES_VIEW_COLUMNS,
  routesViewSql,
  tableViewColumns,
  tableViewSql,
  TOMBSTONE_COLUMNS,
  type ViewColumn,
} from './views.js';

/**
 * The CloudFormation resources that make the bucket queryable in Athena: a Glue database; per report a raw
 * table over `<report>/dt=<day>/…` (each line's JSON as `record`, `dt` found by partition projection, so no
 * crawler and no MSCK REPAIR), the typed all-versions view and the `<table>_latest` view over it; the
 * `tombstones` table, the `routes` view; and a workgroup writing results under `_athena-results/` of the same
 * bucket. `npm run generate:athena` writes it to deploy/athena.json, which serverless.yml includes;
 * `${param:…}`, `${self:…}` and `${sls:…}` are Serverless variables, `${Name}` inside Fn::Sub are CloudFormation's.
 *
 * The views here carry custom fields in `cf` (JSON) and `record`; the scheduler adds a `cf_…` column per custom
 * field to the deployed views from the export's field metadata (custom-field-views.ts), as the local engine does.
 */

/** The first day partition projection considers; exports start on the day of the first run, after this. */
export const PROJECTION_START = '2020-01-01';
export const RESULTS_PREFIX = '_athena-results/';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const pascal = (table: string) => table.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
/** The typed all-versions view keeps the logical id the table had, so a stack updates it in place. */
export const tableLogicalId = (spec: Pick<TableSpec, 'table'>) => `Analytics${pascal(spec.table)}Table`;
export const rawTableLogicalId = (spec: Pick<TableSpec, 'table'>) => `Analytics${pascal(spec.table)}RawTable`;
export const viewLogicalId = (spec: Pick<TableSpec, 'table'>) => `Analytics${pascal(spec.table)}LatestView`;
export const compactedTableLogicalId = (spec: Pick<TableSpec, 'table'>) => `Analytics${pascal(spec.table)}CompactedTable`;
export const TOMBSTONES_LOGICAL_ID = 'AnalyticsTombstonesTable';

const catalog = { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseName: { Ref: 'AnalyticsDatabase' } };

function projected(folder: string): Record<string, Json> {
  return {
    'projection.enabled': 'true',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': `${PROJECTION_START},NOW`,
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    // `${!dt}` is a literal ${dt} for Athena; every run folder of the day sits under it
    'storage.location.template': { 'Fn::Sub': `s3://\${ReportsBucket}/${folder}dt=\${!dt}/` },
  };
}

/** A table over text files partitioned by day under `folder`, read by `serde`. */
function dayTable(name: string, description: string, folder: string, classification: string, serde: Json, columns: Json[]): Json {
  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      ...catalog,
      TableInput: {
        Name: name,
        Description: description,
        TableType: 'EXTERNAL_TABLE',
        Parameters: { classification, ...projected(folder) },
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        StorageDescriptor: {
          Location: { 'Fn::Sub': `s3://\${ReportsBucket}/${folder}` },
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: serde,
          Columns: columns,
        },
      },
    },
  };
}

/**
 * A report's page lines as text, one `record` column: LazySimpleSerDe splits fields on \u0001, which never
 * occurs raw in JSON (JSON.stringify escapes control characters), so each line is one whole record.
 */
const rawTable = (name: string, folder: string, description: string) =>
  dayTable(
    name,
    description,
    folder,
    'text',
    {
      SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      Parameters: { 'field.delim': '\u0001', 'serialization.format': '\u0001' },
    },
    [{ Name: 'record', Type: 'string' }],
  );

/**
 * A report's compacted generations (Parquet, zstd, compaction.ts), a partition per generation folder: `gen` is
 * injected, so a query names the one it reads (the latest view names the current one, compacted-views.ts) and
 * nothing has to register it. Columns by position: the files call the page column `$path`, which Athena keeps
 * for its own pseudo-column; here it is `page`, the page's key.
 */
function compactedTable(spec: TableSpec): Json {
  const folder = `${CURRENT_PREFIX}${spec.report}/`;
  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      ...catalog,
      TableInput: {
        Name: compactedTableName(spec),
        Description: `Zoho Desk ${spec.report}: the compacted current state, a partition per generation (${folder}gen=…/)`,
        TableType: 'EXTERNAL_TABLE',
        Parameters: {
          classification: 'parquet',
          'projection.enabled': 'true',
          'projection.gen.type': 'injected',
          'storage.location.template': { 'Fn::Sub': `s3://\${ReportsBucket}/${folder}\${!gen}/` },
        },
        PartitionKeys: [{ Name: 'gen', Type: 'string' }],
        StorageDescriptor: {
          Location: { 'Fn::Sub': `s3://\${ReportsBucket}/${folder}` },
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          SerdeInfo: {
            SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            Parameters: { 'parquet.column.index.access': 'true' },
          },
          Columns: ['record', 'page', 'dt'].map((name) => ({ Name: name, Type: 'string' })),
        },
      },
    },
  };
}

// The OpenX SerDe matches JSON keys case-insensitively (runId → runid).
const tombstonesTable = () =>
  dayTable(
    TOMBSTONES_TABLE,
    'Zoho Desk records that left: recycle bin, absent from a complete read, or reconciled',
    TOMBSTONE_PREFIX,
    'json',
    { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
    TOMBSTONE_COLUMNS.map((c) => ({ Name: c.toLowerCase(), Type: 'string' })),
  );

/** A Presto view stored in Glue: what Athena itself writes for CREATE VIEW, so Athena reads it as its own. */
function view(name: string, description: string, sql: string, columns: readonly ViewColumn[], dependsOn: string[]): Json {
  const presto = prestoViewJson(sql, columns, '${AnalyticsDatabase}');
  return {
    Type: 'AWS::Glue::Table',
    DependsOn: dependsOn,
    Properties: {
      ...catalog,
      TableInput: {
        Name: name,
        Description: description,
        TableType: 'VIRTUAL_VIEW',
        Parameters: { presto_view: 'true', comment: 'Presto View' },
        ViewOriginalText: { 'Fn::Join': ['', ['/* Presto View: ', { 'Fn::Base64': { 'Fn::Sub': presto } }, ' */']] },
        ViewExpandedText: '/* Presto View */',
        StorageDescriptor: {
          SerdeInfo: {},
          Columns: columns.map((c) => ({ Name: c.name, Type: c.hiveType })),
        },
      },
    },
  };
}

export function athenaResources(): { Resources: Record<string, Json>; Outputs: Record<string, Json> } {
  const resources: Record<string, Json> = {
    AnalyticsDatabase: {
      Type: 'AWS::Glue::Database',
      Properties: {
        CatalogId: { Ref: 'AWS::AccountId' },
        DatabaseInput: { Name: '${param:analyticsDatabase}', Description: 'Zoho Desk reports exported by zoho-desk-reports' },
      },
    },
    AnalyticsWorkGroup: {
      Type: 'AWS::Athena::WorkGroup',
      Properties: {
        Name: '${self:service}-${sls:stage}',
        Description: 'Queries over the Zoho Desk reports; results kept under _athena-results/ of the reports bucket',
        State: 'ENABLED',
        RecursiveDeleteOption: true,
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          PublishCloudWatchMetricsEnabled: true,
          EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
          ResultConfiguration: {
            OutputLocation: { 'Fn::Sub': `s3://\${ReportsBucket}/${RESULTS_PREFIX}` },
            EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          },
        },
      },
    },
  };
  resources[TOMBSTONES_LOGICAL_ID] = tombstonesTable();
  for (const spec of TABLES) {
    resources[rawTableLogicalId(spec)] = rawTable(rawTableName(spec), `${spec.report}/`, `Zoho Desk ${spec.report}: each page line as Zoho sent it`);
    resources[compactedTableLogicalId(spec)] = compactedTable(spec);
    resources[tableLogicalId(spec)] = view(
      spec.table,
      `Zoho Desk ${spec.report}: every version of every record, typed`,
      tableViewSql(spec, ATHENA),
      tableViewColumns(spec),
      [rawTableLogicalId(spec)],
    );
    const parent = parentTable(spec);
    const after = [tableLogicalId(spec), TOMBSTONES_LOGICAL_ID, ...(parent ? [tableLogicalId(parent)] : [])];
    resources[viewLogicalId(spec)] = view(
      latestViewName(spec),
      `Zoho Desk ${spec.report}: the records as they are now`,
      latestViewSql(spec, ATHENA),
      latestViewColumns(spec),
      after,
    );
  }
  const routesRaw = { table: 'routes' };
  resources[rawTableLogicalId(routesRaw)] = rawTable('routes_raw', 'route/', 'On-demand exports of any Desk route: each page line');
  resources[tableLogicalId(routesRaw)] = view(
    ROUTES_TABLE,
    'On-demand exports of any Desk route, one row per record',
    routesViewSql(ATHENA),
    ROUTES_VIEW_COLUMNS,
    [rawTableLogicalId(routesRaw)],
  );
  return {
    Resources: resources,
    Outputs: {
      AnalyticsDatabaseName: { Value: { Ref: 'AnalyticsDatabase' } },
      AnalyticsWorkGroupName: { Value: { Ref: 'AnalyticsWorkGroup' } },
    },
  };
}

/** The committed file's text: stable key order, two-space indent, trailing newline. */
export function athenaTemplateText(): string {
  return `${JSON.stringify(athenaResources(), null, 2)}\n`;
}
