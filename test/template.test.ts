import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/zoho.js';

// The CloudFormation template `serverless package` writes, offline and with no AWS credentials at all.

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string };
let resources: Record<string, Resource>;
let outputs: Record<string, unknown>;
let packageDir: string;
const ROOT = join(import.meta.dirname, '..');

beforeAll(async () => {
  const dir = await tempDir();
  packageDir = dir.path;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir.path,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_SHARED_CREDENTIALS_FILE: join(dir.path, 'none'),
    AWS_CONFIG_FILE: join(dir.path, 'none'),
  };
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'ci', '--package', dir.path], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`serverless package failed (${code}):\n${output}`);
  const template = JSON.parse(await readFile(join(dir.path, 'cloudformation-template-update-stack.json'), 'utf8')) as {
    Resources: Record<string, Resource>;
    Outputs: Record<string, unknown>;
  };
  resources = template.Resources;
  outputs = template.Outputs;
}, 180_000);

const byType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('the packaged CloudFormation template', () => {
  it('runs the scheduler every 4 hours', () => {
    const [[, rule] = []] = byType('AWS::Events::Rule');
    expect(rule?.Properties.ScheduleExpression).toBe('rate(4 hours)');
  });

  it('feeds the consumer from the work queue with partial batch failures, bounded by the Zoho concurrency', () => {
    const [[, mapping] = []] = byType('AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
    });
  });

  it('gives the work queue a visibility of at least six consumer timeouts, encryption, and a redrive policy of five receives', () => {
    const consumer = resources.ConsumerLambdaFunction?.Properties;
    const queue = resources.WorkQueue?.Properties;
    expect(queue?.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumer?.Timeout);
    expect(queue?.SqsManagedSseEnabled).toBe(true);
    expect(queue?.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 });
  });

  it('keeps dead letters 14 days, encrypted, redrivable only to the work queue, with an alarm', () => {
    const dlq = resources.DeadLetterQueue?.Properties;
    expect(dlq?.MessageRetentionPeriod).toBe(1_209_600);
    expect(dlq?.SqsManagedSseEnabled).toBe(true);
    expect(dlq?.RedriveAllowPolicy).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:zoho-desk-reports-ci-work' }],
    });
    expect(resources.WorkQueue?.Properties.QueueName).toBe('zoho-desk-reports-ci-work');
    const [[, alarm] = []] = byType('AWS::CloudWatch::Alarm');
    expect(alarm?.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('names the bucket zoho-reports-<account id> with CloudFormation, blocks public access, encrypts, and denies plain HTTP', () => {
    const bucket = resources.ReportsBucket;
    expect(bucket?.Properties.BucketName).toEqual({ 'Fn::If': ['HasBucketName', '', { 'Fn::Sub': 'zoho-reports-${AWS::AccountId}' }] });
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    const statement = resources.ReportsBucketPolicy?.Properties.PolicyDocument.Statement[0];
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('grants the Lambdas the secret prefix, the bucket and the queues — no wildcard resources for them', () => {
    const statements = resources.IamRoleLambdaExecution?.Properties.Policies[0].PolicyDocument.Statement as Array<{ Action: string[]; Resource: unknown }>;
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
    expect(sqsResources.every((r) => r.includes('WorkQueue') || r.includes('DeadLetterQueue'))).toBe(true);
  });

  it('gives the Lambdas their queues, bucket and secret, and publishes them for the operator commands', () => {
    expect(resources.ConsumerLambdaFunction?.Properties.Environment.Variables).toMatchObject({
      WORK_QUEUE_URL: { Ref: 'WorkQueue' },
      DEAD_LETTER_QUEUE_URL: { Ref: 'DeadLetterQueue' },
      REPORTS_BUCKET: { Ref: 'ReportsBucket' },
      ZOHO_SECRET_ID: 'zoho_auth',
      SECRET_PREFIX: 'zoho_auth',
    });
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['WorkQueueUrl', 'WorkQueueArn', 'DeadLetterQueueUrl', 'DeadLetterQueueArn', 'ReportsBucketName']));
    expect(resources.ConsumerLambdaFunction?.Properties.Runtime).toMatch(/^nodejs2[24]\.x$/);
  });

  it('bundles each handler on its own', async () => {
    for (const name of ['scheduler', 'consumer']) expect((await stat(join(packageDir, `${name}.zip`))).size).toBeGreaterThan(10_000);
  });
});
