import { columnType, TABLES, type TableSpec } from './schema.js';
import { ATHENA, latestViewColumns, latestViewName, latestViewSql } from './views.js';

/**
 * The CloudFormation resources that make the bucket queryable in Athena: a Glue database, one table per
 * report over `<report>/dt=<day>/…` (JSON Lines, `dt` found by partition projection, so no crawler and no
 * MSCK REPAIR), a `<table>_latest` view per report, and a workgroup writing results under `_athena-results/`
 * of the same bucket. `npm run generate:athena` writes it to deploy/athena.json, which serverless.yml includes;
 * `${param:…}`, `${self:…}` and `${sls:…}` are Serverless variables, `${Name}` inside Fn::Sub are CloudFormation's.
 */

/** The first day partition projection considers; exports start on the day of the first run, after this. */
export const PROJECTION_START = '2020-01-01';
export const RESULTS_PREFIX = '_athena-results/';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const pascal = (table: string) => table.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
export const tableLogicalId = (spec: TableSpec) => `Analytics${pascal(spec.table)}Table`;
export const viewLogicalId = (spec: TableSpec) => `Analytics${pascal(spec.table)}LatestView`;

const catalog = { CatalogId: { Ref: 'AWS::AccountId' }, DatabaseName: { Ref: 'AnalyticsDatabase' } };

function table(spec: TableSpec): Json {
  return {
    Type: 'AWS::Glue::Table',
    Properties: {
      ...catalog,
      TableInput: {
        Name: spec.table,
        Description: `Zoho Desk ${spec.report}: every version of every record, one row per line of each page file`,
        TableType: 'EXTERNAL_TABLE',
        Parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${PROJECTION_START},NOW`,
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          // `${!dt}` is a literal ${dt} for Athena; every run folder of the day sits under it
          'storage.location.template': { 'Fn::Sub': `s3://\${ReportsBucket}/${spec.report}/dt=\${!dt}/` },
        },
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        StorageDescriptor: {
          Location: { 'Fn::Sub': `s3://\${ReportsBucket}/${spec.report}/` },
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          // The OpenX SerDe matches JSON keys case-insensitively (createdTime → createdtime).
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          Columns: spec.columns.map((c) => ({ Name: c.name.toLowerCase(), Type: columnType(c.type, 'hive') })),
        },
      },
    },
  };
}

/** A Presto view stored in Glue: what Athena itself writes for CREATE VIEW, so Athena reads it as its own. */
function view(spec: TableSpec): Json {
  const columns = latestViewColumns(spec);
  const presto = JSON.stringify({
    originalSql: latestViewSql(spec, ATHENA),
    catalog: 'awsdatacatalog',
    schema: '${AnalyticsDatabase}',
    columns: columns.map((c) => ({ name: c.name, type: c.engineType })),
  });
  return {
    Type: 'AWS::Glue::Table',
    DependsOn: [tableLogicalId(spec)],
    Properties: {
      ...catalog,
      TableInput: {
        Name: latestViewName(spec),
        Description: `Zoho Desk ${spec.report}: the newest version of each record across runs`,
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
  for (const spec of TABLES) {
    resources[tableLogicalId(spec)] = table(spec);
    resources[viewLogicalId(spec)] = view(spec);
  }
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
