import { EXPIRING_PAGE_TAG } from '../lib/ports.js';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compactedTableLogicalId,
  PROJECTION_START,
  rawTableLogicalId,
  RESULTS_PREFIX,
  tableLogicalId,
  TOMBSTONES_LOGICAL_ID,
  viewLogicalId,
} from '../lib/analytics/athena-template.js';
import { TABLES } from '../lib/analytics/schema.js';
import { generationFile } from '../lib/analytics/compaction.js';
import { ATHENA, latestViewColumns, latestViewSql, tableViewColumns, tableViewSql } from '../lib/analytics/views.js';
import { alarmNamePrefix } from '../lib/aws/operator.js';
import { PLANNING_TIMEOUT_MS } from '../lib/aws/scheduler.js';
import { manifestKey, pageKey } from '../lib/pipeline/keys.js';
import { REPORTS } from '../lib/reports/catalog.js';
import { packageApp, type PackagedApp, type Resource } from './helpers/serverless-package.js';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parsePortalQueues } from '../lib/aws/config.js';
import { motoInstalled, startMoto } from './helpers/moto.js';
import { deployToMoto, MOTO_CREDENTIALS, MOTO_REGION } from './helpers/moto-stack.js';

// The CloudFormation template `serverless package` writes, offline and with no AWS credentials at all.

const STAGE = 'ci';
let packaged: PackagedApp;
let resources: Record<string, Resource>;
let outputs: Record<string, unknown>;
let packageDir: string;

beforeAll(async () => {
  packaged = await packageApp(STAGE);
  packageDir = packaged.dir;
  resources = packaged.updateTemplate.Resources;
  outputs = packaged.updateTemplate.Outputs;
}, 180_000);

afterAll(() => packaged?.remove());

const byType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('the packaged CloudFormation template', () => {
  it('runs the scheduler every 4 hours', () => {
    const [[, rule] = []] = byType('AWS::Events::Rule');
    expect(rule?.Properties.ScheduleExpression).toBe('rate(4 hours)');
  });

  const mappingOf = (queue: string) =>
    byType('AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] }),
    )?.[1];

  it('feeds the consumer from the work queue with partial batch failures, bounded by the Zoho concurrency', () => {
    expect(byType('AWS::Lambda::EventSourceMapping')).toHaveLength(2);
    const mapping = mappingOf('WorkQueue');
    expect(JSON.stringify(mapping?.Properties.FunctionName)).toContain('ConsumerLambdaFunction');
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
    });
  });

  it('feeds the scheduler the plan queue one part of a planning at a time, retried and dead-lettered like a page', () => {
    const mapping = mappingOf('PlanQueue');
    expect(JSON.stringify(mapping?.Properties.FunctionName)).toContain('SchedulerLambdaFunction');
    expect(mapping?.Properties).toMatchObject({ BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const scheduler = resources.SchedulerLambdaFunction?.Properties;
    const queue = resources.PlanQueue?.Properties;
    expect(queue?.QueueName).toBe('zoho-desk-reports-ci-plan');
    // A part cut off by the timeout comes back before a run still planning counts as abandoned.
    expect(queue?.VisibilityTimeout).toBeGreaterThanOrEqual(scheduler?.Timeout);
    expect(queue?.VisibilityTimeout * 1000).toBeLessThan(PLANNING_TIMEOUT_MS);
    expect(queue?.SqsManagedSseEnabled).toBe(true);
    expect(queue?.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
  });

  it('gives the work queue a visibility of at least six consumer timeouts, encryption, and a redrive policy of five receives', () => {
    const consumer = resources.ConsumerLambdaFunction?.Properties;
    const queue = resources.WorkQueue?.Properties;
    expect(queue?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer?.Timeout);
    expect(queue?.SqsManagedSseEnabled).toBe(true);
    expect(queue?.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
  });

  it('keeps dead letters 14 days, encrypted, from the work and plan queues only, with an alarm', () => {
    const dlq = resources.DeadLetterQueue?.Properties;
    expect(dlq?.MessageRetentionPeriod).toBe(1_209_600);
    expect(dlq?.SqsManagedSseEnabled).toBe(true);
    expect(dlq?.RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:zoho-desk-reports-ci-work' },
        { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:zoho-desk-reports-ci-plan' },
      ],
    });
    expect(resources.WorkQueue?.Properties.QueueName).toBe('zoho-desk-reports-ci-work');
    expect(resources.DeadLetterAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms on scheduler errors and on a page older than the schedule period in the work queue', () => {
    expect(resources.SchedulerErrorsAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'SchedulerLambdaFunction' } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(resources.RunOverdueAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['WorkQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      // rate(4 hours), the default schedule
      Threshold: 4 * 3600,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('sends every alarm and its recovery to the alarm topic, named so `status` finds it', () => {
    const alarms = byType('AWS::CloudWatch::Alarm');
    expect(alarms.map(([id]) => id).sort()).toEqual(['DeadLetterAlarm', 'RunOverdueAlarm', 'SchedulerErrorsAlarm']);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.AlarmName, id).toMatch(new RegExp(`^${alarmNamePrefix('ci')}[a-z-]+$`));
      expect(alarm.Properties.TreatMissingData, id).toBe('notBreaching');
    }
    expect(resources.AlarmTopic?.Type).toBe('AWS::SNS::Topic');
    expect(outputs.AlarmTopicArn).toEqual({ Value: { Ref: 'AlarmTopic' } });
  });

  it('subscribes the alarmEmail address to the topic only when one is given (none by default)', () => {
    const subscription = resources.AlarmEmailSubscription;
    expect(subscription?.Condition).toBe('HasAlarmEmail');
    expect(subscription?.Properties).toEqual({ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: '' });
    expect(packaged.updateTemplate.Conditions?.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('names the bucket zoho-reports-<account id> (-<stage> but for prod) with CloudFormation, blocks public access, encrypts, and denies plain HTTP', () => {
    const bucket = resources.ReportsBucket;
    // prod keeps the name the bucket always had; another stage in the same account gets one of its own.
    expect(bucket?.Properties.BucketName).toEqual({
      'Fn::If': [
        'HasBucketName',
        '',
        { 'Fn::If': ['IsProdStage', { 'Fn::Sub': 'zoho-reports-${AWS::AccountId}' }, { 'Fn::Sub': `zoho-reports-\${AWS::AccountId}-${STAGE}` }] },
      ],
    });
    expect(packaged.updateTemplate.Conditions?.IsProdStage).toEqual({ 'Fn::Equals': [STAGE, 'prod'] });
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.UpdateReplacePolicy).toBe('Retain');
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    const statement = resources.ReportsBucketPolicy?.Properties.PolicyDocument.Statement[0];
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('grants the Lambdas the secret prefix, the bucket and the queues — no wildcard resources for them', () => {
    const statements = resources.IamRoleLambdaExecution?.Properties.Policies[0].PolicyDocument.Statement as Array<{
      Action: string[];
      Resource: unknown;
    }>;
    const forService = (prefix: string) => statements.filter((s) => s.Action.some((a) => a.startsWith(prefix)));
    const text = (value: unknown) => JSON.stringify(value);
    for (const prefix of ['secretsmanager:', 's3:', 'sqs:']) {
      for (const statement of forService(prefix)) {
        expect(text(statement.Resource)).not.toBe('"*"');
        expect(text(statement.Resource)).not.toContain('"*"');
      }
    }
    expect(forService('secretsmanager:').map((s) => s.Resource)).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:zoho_auth*' },
    ]);
    expect(forService('s3:').map((s) => s.Resource)).toEqual([{ 'Fn::Sub': '${ReportsBucket.Arn}/*' }, { 'Fn::GetAtt': ['ReportsBucket', 'Arn'] }]);
    const sqsResources = forService('sqs:').map((s) => text(s.Resource));
    expect(sqsResources.every((r) => ['WorkQueue', 'PlanQueue', 'DeadLetterQueue'].some((queue) => r.includes(queue)))).toBe(true);
    expect(sqsResources.some((r) => r.includes('PlanQueue'))).toBe(true);
  });

  it('gives the Lambdas their queues, bucket and secret, and publishes them for the operator commands', () => {
    expect(resources.ConsumerLambdaFunction?.Properties.Environment.Variables).toMatchObject({
      WORK_QUEUE_URL: { Ref: 'WorkQueue' },
      DEAD_LETTER_QUEUE_URL: { Ref: 'DeadLetterQueue' },
      PLAN_QUEUE_URL: { Ref: 'PlanQueue' },
      REPORTS_BUCKET: { Ref: 'ReportsBucket' },
      ZOHO_SECRET_ID: 'zoho_auth',
      SECRET_PREFIX: 'zoho_auth',
    });
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['WorkQueueUrl', 'WorkQueueArn', 'PlanQueueUrl', 'DeadLetterQueueUrl', 'DeadLetterQueueArn', 'ReportsBucketName']),
    );
    expect(resources.ConsumerLambdaFunction?.Properties.Runtime).toMatch(/^nodejs2[24]\.x$/);
  });

  it('bundles each handler on its own', async () => {
    for (const name of ['scheduler', 'consumer', 'compactor']) expect((await stat(join(packageDir, `${name}.zip`))).size).toBeGreaterThan(10_000);
  });

  it('runs the compactor hourly, one at a time, on x86_64 (its DuckDB binding), with room to work', () => {
    const compactor = resources.CompactorLambdaFunction?.Properties;
    expect(compactor).toMatchObject({ Architectures: ['x86_64'], ReservedConcurrentExecutions: 1, Timeout: 900, MemorySize: 1024 });
    expect(compactor?.EphemeralStorage).toEqual({ Size: 4096 });
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toEqual(expect.arrayContaining(['rate(1 hour)', 'rate(4 hours)']));
    // Its writes: generations and pointers in the bucket (the role the other functions have).
    expect(JSON.stringify(resources.IamRoleLambdaExecution?.Properties.Policies)).toContain('s3:PutObjectTagging');
  });
});

/** What Fn::Sub makes of a template string, given the values of the names it refers to. */
function sub(value: unknown, names: Record<string, string>): string {
  const template = (value as { 'Fn::Sub': string })['Fn::Sub'];
  expect(typeof template).toBe('string');
  return template.replace(/\$\{(!?)([^}]+)\}/g, (_, literal: string, name: string) => {
    if (literal) return `\${${name}}`;
    const known = names[name];
    if (known === undefined) throw new Error(`Fn::Sub refers to \${${name}}, which the test does not know`);
    return known;
  });
}

describe('the Athena tables and views in the packaged template', () => {
  const names = { ReportsBucket: 'zoho-reports-123456789012', AnalyticsDatabase: 'zoho_desk_ci' };
  const runId = '2026-11-25T04-00-00Z-ab12';

  it('has a Glue database named per stage and a workgroup writing results under a prefix of the reports bucket', () => {
    expect(resources.AnalyticsDatabase?.Properties.DatabaseInput.Name).toBe('zoho_desk_ci');
    const workgroup = resources.AnalyticsWorkGroup?.Properties;
    expect(workgroup?.Name).toBe('zoho-desk-reports-ci');
    expect(workgroup?.WorkGroupConfiguration.EnforceWorkGroupConfiguration).toBe(true);
    const results = sub(workgroup?.WorkGroupConfiguration.ResultConfiguration.OutputLocation, names);
    expect(results).toBe(`s3://zoho-reports-123456789012/${RESULTS_PREFIX}`);
    // No report folder is under the results prefix, and the results expire while the reports stay.
    for (const spec of TABLES) expect(`${spec.report}/`.startsWith(RESULTS_PREFIX)).toBe(false);
    const rules = resources.ReportsBucket?.Properties.LifecycleConfiguration.Rules as Array<Record<string, unknown>>;
    expect(rules).toEqual([
      expect.objectContaining({ Prefix: RESULTS_PREFIX, Status: 'Enabled', ExpirationInDays: 30 }),
      // Raw pages of the reports read in full every run, tagged as the S3 store writes them, after 90 days.
      { Id: 'ExpireRawPages', Status: 'Enabled', TagFilters: [{ Key: EXPIRING_PAGE_TAG.key, Value: EXPIRING_PAGE_TAG.value }], ExpirationInDays: 90 },
    ]);
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['AnalyticsDatabaseName', 'AnalyticsWorkGroupName']));
  });

  it('has a raw table, a typed view and a latest view per report, as the local engine has', () => {
    expect(TABLES.map((t) => t.report).sort()).toEqual(REPORTS.map((r) => r.id).sort());
    for (const report of REPORTS) {
      const spec = TABLES.find((t) => t.report === report.id);
      expect(spec?.parent?.scope, report.id).toBe(report.parent?.scope);
      expect(resources[rawTableLogicalId(spec!)]?.Properties.TableInput.TableType).toBe('EXTERNAL_TABLE');
      expect(resources[tableLogicalId(spec!)]?.Properties.TableInput.TableType).toBe('VIRTUAL_VIEW');
      expect(resources[viewLogicalId(spec!)]?.Properties.TableInput.TableType).toBe('VIRTUAL_VIEW');
    }
  });

  it("locates each table at its report's folder, with `dt` projected over the days the layout writes", () => {
    for (const spec of TABLES) {
      const input = resources[rawTableLogicalId(spec)]?.Properties.TableInput;
      expect(input.Name).toBe(`${spec.table}_raw`);
      expect(input.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
      const p = input.Parameters;
      expect(p['projection.enabled']).toBe('true');
      expect(p['projection.dt.type']).toBe('date');
      expect(p['projection.dt.format']).toBe('yyyy-MM-dd');
      // From before any export to today, day by day: a new day's folder is queryable with no crawler.
      expect(p['projection.dt.range']).toBe(`${PROJECTION_START},NOW`);
      expect(p['projection.dt.interval']).toBe('1');
      expect(p['projection.dt.interval.unit']).toBe('DAYS');

      // A page the pipeline writes today lies under the partition Athena projects for today's dt.
      const template = sub(p['storage.location.template'], names);
      const partition = template.replace('${dt}', '2026-11-25');
      const scope = spec.parent ? `${spec.parent.scope}=6483605000001000001/` : '';
      const page = `s3://${names.ReportsBucket}/${pageKey(spec.report, runId, '60001234567', scope, 1)}`;
      expect(page.startsWith(partition), `${page} under ${partition}`).toBe(true);
      expect(partition).toMatch(/\/dt=2026-11-25\/$/);
      expect(sub(input.StorageDescriptor.Location, names)).toBe(`s3://${names.ReportsBucket}/${spec.report}/`);
      // The manifest shares the folder but starts with `_`, which Athena treats as hidden.
      expect(manifestKey(spec.report, runId, '60001234567').split('/').at(-1)).toMatch(/^_/);
      // Each line whole, as text: the views read every field from it.
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe');
      expect(input.StorageDescriptor.SerdeInfo.Parameters['field.delim']).toBe('\u0001');
      expect(input.StorageDescriptor.Columns).toEqual([{ Name: 'record', Type: 'string' }]);
    }
  });

  it('has a Parquet table per report over its compacted generations, a partition per generation folder the compactor writes', () => {
    const generation = 'gen=2026-11-25T05-10-00-000Z';
    for (const spec of TABLES) {
      const input = resources[compactedTableLogicalId(spec)]?.Properties.TableInput;
      expect(input.Name).toBe(`${spec.table}_compacted`);
      expect(input.PartitionKeys).toEqual([{ Name: 'gen', Type: 'string' }]);
      // Injected: the latest view names the generation it reads; nothing registers partitions.
      expect(input.Parameters).toMatchObject({ classification: 'parquet', 'projection.enabled': 'true', 'projection.gen.type': 'injected' });
      const partition = sub(input.Parameters['storage.location.template'], names).replace('${gen}', generation);
      const file = generationFile('', spec.report, generation).replace(/^\//, '');
      expect(`s3://${names.ReportsBucket}/${file}`).toBe(`${partition}part-0.parquet`);
      const storage = input.StorageDescriptor;
      expect(storage.SerdeInfo).toEqual({
        SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
        // By position (record, "$path", dt in the files, compacted-views.test.ts): Athena keeps "$path" for itself.
        Parameters: { 'parquet.column.index.access': 'true' },
      });
      expect(storage.Columns.map((c: { Name: string }) => c.Name)).toEqual(['record', 'page', 'dt']);
    }
  });

  it('has the typed and latest views per report, stored as Athena stores CREATE VIEW, with the SQL and columns the local engine uses', () => {
    const prestoOf = (logicalId: string) => {
      const [, encoded] = resources[logicalId]?.Properties.TableInput.ViewOriginalText['Fn::Join'][1];
      return JSON.parse(sub(encoded['Fn::Base64'], names)) as { originalSql: string; columns: Array<{ name: string; type: string }> };
    };
    for (const spec of TABLES) {
      expect(prestoOf(tableLogicalId(spec)).originalSql).toBe(tableViewSql(spec, ATHENA));
      expect(prestoOf(tableLogicalId(spec)).columns).toEqual(tableViewColumns(spec).map((c) => ({ name: c.name, type: c.engineType })));
      expect(resources[tableLogicalId(spec)]?.DependsOn).toEqual([rawTableLogicalId(spec)]);
      const view = resources[viewLogicalId(spec)];
      const input = view?.Properties.TableInput;
      expect(input.Name).toBe(`${spec.table}_latest`);
      expect(input.TableType).toBe('VIRTUAL_VIEW');
      expect(input.Parameters.presto_view).toBe('true');
      const [prefix, encoded, suffix] = input.ViewOriginalText['Fn::Join'][1];
      expect([prefix, suffix]).toEqual(['/* Presto View: ', ' */']);
      const presto = JSON.parse(sub(encoded['Fn::Base64'], names)) as {
        originalSql: string;
        catalog: string;
        schema: string;
        columns: Array<{ name: string; type: string }>;
      };
      expect(presto.catalog).toBe('awsdatacatalog');
      expect(presto.schema).toBe('zoho_desk_ci');
      expect(presto.originalSql).toBe(latestViewSql(spec, ATHENA));
      const columns = latestViewColumns(spec);
      expect(presto.columns).toEqual(columns.map((c) => ({ name: c.name, type: c.engineType })));
      expect(input.StorageDescriptor.Columns).toEqual(columns.map((c) => ({ Name: c.name, Type: c.hiveType })));
      expect(new Set(columns.map((c) => c.name)).size, `${spec.table}: column names are unique`).toBe(columns.length);
      expect(view?.DependsOn).toEqual(expect.arrayContaining([tableLogicalId(spec), TOMBSTONES_LOGICAL_ID]));
    }
  });
});

describe('the packaged template with further portals (the portals parameter)', () => {
  let app: PackagedApp;
  let portalResources: Record<string, Resource>;
  const queueOf = (secretId: string) =>
    Object.entries(portalResources).find(
      ([, r]) => r.Type === 'AWS::SQS::Queue' && JSON.stringify(r.Properties.Tags ?? []).includes(`"${secretId}"`),
    );

  beforeAll(async () => {
    app = await packageApp(STAGE, { portals: 'zoho_auth_eu:15,zoho_auth_client2', zohoConcurrency: '10' });
    portalResources = app.updateTemplate.Resources;
  }, 180_000);
  afterAll(() => app?.remove());

  it('gives each portal a work queue like the default one, dead-lettered to the same queue, read with its own maximum concurrency', () => {
    const mappings = Object.values(portalResources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    const concurrencyOf = (queue: string) =>
      mappings.find((m) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] }))?.Properties.ScalingConfig
        ?.MaximumConcurrency;
    expect(concurrencyOf('WorkQueue')).toBe(10);
    for (const [secretId, calls] of [
      ['zoho_auth_eu', 15],
      ['zoho_auth_client2', 5],
    ] as const) {
      const [id, queue] = queueOf(secretId)!;
      expect(queue.Properties).toMatchObject({
        QueueName: `zoho-desk-reports-ci-work-${secretId}`,
        VisibilityTimeout: portalResources.WorkQueue!.Properties.VisibilityTimeout,
        SqsManagedSseEnabled: true,
        RedrivePolicy: portalResources.WorkQueue!.Properties.RedrivePolicy,
      });
      expect(concurrencyOf(id)).toBe(calls);
      expect(JSON.stringify(portalResources.DeadLetterQueue!.Properties.RedriveAllowPolicy.sourceQueueArns)).toContain(`ci-work-${secretId}"`);
      const sqs = (
        portalResources.IamRoleLambdaExecution!.Properties.Policies[0].PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>
      ).find((s) => s.Action.includes('sqs:ChangeMessageVisibility'));
      expect(sqs?.Resource).toContainEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    }
    const variables = portalResources.ConsumerLambdaFunction!.Properties.Environment.Variables;
    expect(variables.PORTALS).toBe('zoho_auth_eu:15,zoho_auth_client2');
    expect(JSON.stringify(variables.PORTAL_QUEUES)).toContain('zoho_auth_eu');
    expect(app.updateTemplate.Outputs.PortalQueueUrls?.Value).toEqual(variables.PORTAL_QUEUES);
    // Each portal's queue has its own run-overdue alarm, named so `status` finds it.
    const alarm = portalResources[`${queueOf('zoho_auth_eu')![0]}RunOverdueAlarm`]?.Properties;
    expect(alarm).toMatchObject({
      AlarmName: `${alarmNamePrefix(STAGE)}run-overdue-zoho_auth_eu`,
      Threshold: 14400,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });

  it.skipIf(!motoInstalled())(
    "deploys into moto, each portal queue redriven to the dead-letter queue and named in the Lambdas' PORTAL_QUEUES",
    async () => {
      const moto = await startMoto();
      try {
        const deployed = await deployToMoto(moto.endpoint, app, 'zoho-desk-reports-ci');
        const env = deployed.functionEnvironment('ConsumerLambdaFunction');
        const queues = parsePortalQueues(env.PORTAL_QUEUES!, 'PORTAL_QUEUES');
        expect([...queues.keys()]).toEqual(['zoho_auth_eu', 'zoho_auth_client2']);
        expect(queues.get('zoho_auth_eu')).toMatch(/\/zoho-desk-reports-ci-work-zoho_auth_eu$/);
        expect(parsePortalQueues(deployed.outputs.PortalQueueUrls!, 'output')).toEqual(queues);
        const sqs = new SQSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
        for (const url of queues.values()) {
          const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }));
          expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toMatchObject({
            deadLetterTargetArn: deployed.outputs.DeadLetterQueueArn,
            maxReceiveCount: 5,
          });
        }
        const mappings = Object.keys(deployed.physical).filter((id) => id.startsWith('ConsumerEventSourceMappingSQS'));
        expect(mappings).toHaveLength(3);
      } finally {
        await moto.stop();
      }
    },
    120_000,
  );
});
