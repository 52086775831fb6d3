import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { EXPIRING_PAGE_TAG } from '../lib/ports.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { alarmNamePrefix, queueDepth, stackName } from '../lib/aws/operator.js';
import { main } from '../lib/cli/main.js';
import { pageKey } from '../lib/pipeline/keys.js';
import { readReceipts } from '../lib/pipeline/receipts.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import { feedConsumer } from './helpers/aws.js';
import { MOTO_INSTALL, motoInstalled, startMoto, type Moto } from './helpers/moto.js';
import { deployToMoto, MOTO_CREDENTIALS, MOTO_REGION, type DeployedInMoto } from './helpers/moto-stack.js';
import { packageApp, type PackagedApp } from './helpers/serverless-package.js';
import { simulatorFixture, type Fixture } from './helpers/zoho.js';
import { capture } from './helpers/capture.js';
import { storedPages } from './helpers/stored.js';

// The packaged stack deployed into moto (python3 -m moto.server, started here: SQS, S3, Secrets Manager and
// CloudFormation in one server), then driven the way someone trying it on LocalStack or moto would: only
// AWS_ENDPOINT_URL, a region and dummy credentials in the environment. The handlers are the real modules with
// the environment CloudFormation gave the functions (moto cannot run the Lambdas: no container runtime
// here); the operator commands go through the CLI entry. Zoho is the bundled simulator.

const STAGE = 'moto';
const installed = motoInstalled();
const required = process.env.REQUIRE_MOTO === '1';
if (!installed && !required) console.warn(`test/aws-moto.test.ts is skipped: moto is not installed (${MOTO_INSTALL}).`);

let app: PackagedApp | undefined;
let moto: Moto | undefined;
let zoho: Fixture | undefined;
let deployed: DeployedInMoto;
/** The test's own clients, to look at what the code under test did (explicit endpoint: not the code under test). */
let sqs: SQSClient;
let s3: S3Client;
let secrets: SecretsManagerClient;
const saved = { ...process.env };

/** `zoho-desk-reports <args>` with the test's environment, its output captured. */
async function cli(...args: string[]) {
  const out = capture();
  const code = await main(args, { env: process.env, out });
  return { code, out };
}

/** The consumer handler (Middy's types give the handler's own result, not the partial batch response). */
type Consumer = typeof import('../handlers/consumer.js').handler;

/**
 * The SQS event source, by hand (moto's is disabled): batches of ten to the consumer handler until the work
 * queue is empty, deleting what the handler did not report failed, as Lambda does. The batch item failures.
 */
async function consumeAll(consumer: Consumer): Promise<unknown[]> {
  const { outputs } = deployed;
  const { failures } = await feedConsumer(sqs, outputs.WorkQueueUrl!, consumer, { queueArn: outputs.WorkQueueArn, deleteHandled: true });
  return failures;
}

describe.skipIf(!installed)('the packaged stack in moto, through AWS_ENDPOINT_URL alone', () => {
  beforeAll(async () => {
    // Each kept as soon as it is up, so afterAll stops it even when another one failed to start.
    const started = await Promise.allSettled([
      packageApp(STAGE).then((packaged) => (app = packaged)),
      startMoto().then((server) => (moto = server)),
      simulatorFixture({ simulator: { tickets: 6 } }).then((fixture) => (zoho = fixture)),
    ]);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    if (!app || !moto || !zoho) throw new Error('unreachable: every part started');
    deployed = await deployToMoto(moto.endpoint, app, stackName(STAGE));
    const client = { endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
    sqs = new SQSClient(client);
    s3 = new S3Client({ ...client, forcePathStyle: true });
    secrets = new SecretsManagerClient(client);
    await secrets.send(new CreateSecretCommand({ Name: 'zoho_auth', SecretString: JSON.stringify(await zoho.store.read()) }));

    // A fresh environment, as on a laptop pointed at moto: no AWS profile, no per-service endpoints.
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, deployed.functionEnvironment('ConsumerLambdaFunction'), zoho.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_CONFIG_FILE: join(zoho.dir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(zoho.dir, 'no-aws-credentials'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  }, 120_000);

  afterAll(async () => {
    process.env = saved;
    await Promise.all([moto?.stop(), zoho?.close(), app?.remove()]);
  });

  it('deploys the queues, the bucket and the functions, and publishes them as the operator commands expect', () => {
    expect(deployed.stack.StackStatus).toBe('UPDATE_COMPLETE');
    // What this test cannot cover: the Athena side and the alarm (test/template.test.ts checks them as written).
    const types = new Set(deployed.dropped.map((id) => app!.updateTemplate.Resources[id]?.Type));
    expect([...types].sort()).toEqual(['AWS::Athena::WorkGroup', 'AWS::CloudWatch::Alarm', 'AWS::Glue::Database', 'AWS::Glue::Table']);
    expect(deployed.outputs).toMatchObject({
      WorkQueueArn: 'arn:aws:sqs:us-east-1:123456789012:zoho-desk-reports-moto-work',
      DeadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:zoho-desk-reports-moto-dead-letter',
      ReportsBucketName: 'zoho-reports-123456789012-moto',
      SecretPrefix: 'zoho_auth',
    });
    // moto names its queues by AWS's host: a client that followed the queue URL would leave moto.
    expect(deployed.outputs.WorkQueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/123456789012/zoho-desk-reports-moto-work');
    expect(Object.keys(deployed.physical)).toEqual(
      expect.arrayContaining(['SchedulerLambdaFunction', 'ConsumerLambdaFunction', 'ConsumerEventSourceMappingSQSWorkQueue']),
    );
    expect(process.env.WORK_QUEUE_URL).toBe(deployed.outputs.WorkQueueUrl);
  });

  it('auth init --secret-id exchanges the grant code held in moto and stores the refresh token there', async () => {
    const { code, out } = await cli('auth', 'init', '--secret-id', 'zoho_auth');
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    expect(out.text()).toContain('the refresh token is stored in the Secrets Manager secret zoho_auth');
    const stored = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: 'zoho_auth' }))).SecretString ?? '{}') as Record<
      string,
      unknown
    >;
    expect(stored.refresh_token).toEqual(expect.any(String));
    expect(stored).not.toHaveProperty('code');
  });

  it('the scheduler plans a run onto the work queue and the consumer fetches every page into the bucket, empty pages not stored', async () => {
    const { handler: scheduler } = await import('../handlers/scheduler.js');
    const { handler: consumer } = await import('../handlers/consumer.js');
    const plan = await scheduler({ reports: ['departments', 'agents', 'email-failures'] });
    expect(plan).toMatchObject({ trigger: 'cli', planned: { departments: 1, agents: 1 } });
    expect(await queueDepth(sqs, deployed.outputs.WorkQueueUrl!)).toMatchObject({ visible: Object.values(plan.planned).reduce((a, b) => a + b, 0) });

    const warn = vi.spyOn(console, 'warn'); // a spy: the SDK warns through console.warn
    try {
      expect(await consumeAll(consumer)).toEqual([]);
      expect(warn.mock.calls.map((args) => args.map(String).join(' ')).filter((m) => m.includes('unknown length'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
    const store = new S3ObjectStore(s3, deployed.outputs.ReportsBucketName!);
    const pages = (await store.list('')).filter((key) => key.endsWith('.jsonl') && key.includes(plan.runId));
    expect(pages.map((key) => key.split('/')[0])).toEqual(expect.arrayContaining(['agents', 'departments']));
    const agentsKey = pages.find((key) => key.startsWith('agents/'))!;
    const agents = (await store.get(agentsKey)) ?? '';
    expect(agents.trim().split('\n')).toHaveLength(zoho!.running.sim.portal.agents.length);
    // A page of a report read in full every run is tagged for the lifecycle rule (ExpireRawPages); a receipt is not.
    const tags = async (key: string) => (await s3.send(new GetObjectTaggingCommand({ Bucket: deployed.outputs.ReportsBucketName, Key: key }))).TagSet;
    expect(await tags(agentsKey)).toEqual([{ Key: EXPIRING_PAGE_TAG.key, Value: EXPIRING_PAGE_TAG.value }]);
    expect(await tags((await store.list(`_runs/${plan.runId}/`))[0]!)).toEqual([]);
    // (moto's CloudFormation leaves the bucket's lifecycle rules out: test/template.test.ts checks them as written.)
    // An empty page (a department with no email failures, the last page of a list) is recorded in its receipt
    // and not stored.
    const receipts = await readReceipts(store, plan.runId);
    const empty = receipts.filter((r) => r.status === 'written' && r.records === 0);
    expect(empty.length).toBeGreaterThan(0);
    for (const receipt of empty)
      expect(pages).not.toContain(pageKey(receipt.report, receipt.runId, zoho!.running.sim.orgId, receipt.scope, receipt.page));
    // An empty object (a tombstone file finalized again) still goes up without the SDK's warning.
    const warnEmpty = vi.spyOn(console, 'warn');
    try {
      await store.put('tombstones/empty.jsonl', '', 'application/x-ndjson');
      expect(warnEmpty.mock.calls.map((args) => args.map(String).join(' ')).filter((m) => m.includes('unknown length'))).toEqual([]);
      expect(await store.get('tombstones/empty.jsonl')).toBe('');
    } finally {
      warnEmpty.mockRestore();
    }
  });

  it('enqueue --stage puts an on-demand message on the deployed work queue, which the consumer plans and fetches', async () => {
    const { handler: consumer } = await import('../handlers/consumer.js');
    const { portal } = zoho!.running.sim;
    const ticket = portal.tickets.find((t) => t.baseThreads > 1)!;
    const { code, out } = await cli('enqueue', 'threads', '--param', `ticketId=${ticket.id}`, '--stage', STAGE);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    expect(out.text()).toContain("on zoho-desk-reports-moto's work queue");
    expect(await consumeAll(consumer)).toEqual([]);
    const store = new S3ObjectStore(s3, deployed.outputs.ReportsBucketName!);
    const pages = (await storedPages(store, 'threads')).filter((page) => page.key.includes(`ticket=${ticket.id}/`));
    const ids = pages.flatMap((page) => page.records.map((r) => r.id as string));
    expect(ids.sort()).toEqual(
      ticketThreads(portal, ticket)
        .map((t) => t.id)
        .sort(),
    );
  });

  it('status --stage shows the queues, why a page was dead-lettered, the alarms firing, and the runs in the bucket', async () => {
    // The stack's alarms are left out in moto (motoTemplate); two made here by name, one firing, and another stage's.
    const cloudwatch = new CloudWatchClient({ endpoint: moto!.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
    const alarm = (AlarmName: string) => ({
      AlarmName,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum' as const,
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold' as const,
    });
    for (const name of [`${alarmNamePrefix(STAGE)}dead-letters`, `${alarmNamePrefix(STAGE)}run-overdue`, `${alarmNamePrefix('other')}dead-letters`]) {
      await cloudwatch.send(new PutMetricAlarmCommand(alarm(name)));
    }
    for (const name of [`${alarmNamePrefix(STAGE)}dead-letters`, `${alarmNamePrefix('other')}dead-letters`]) {
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'test' }));
    }
    const { handler: consumer } = await import('../handlers/consumer.js');
    await sqs.send(new SendMessageCommand({ QueueUrl: deployed.outputs.WorkQueueUrl, MessageBody: '{"report":"nope"}' }));
    expect(await consumeAll(consumer)).toEqual([]);
    const { code, out } = await cli('status', '--stage', STAGE);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    const text = out.text();
    expect(text).toContain('Work queue: 0 waiting, 0 being fetched, 0 delayed.');
    expect(text).toContain('Dead-letter queue: 1 message(s).');
    expect(text).toContain('1 × invalid message: report "nope" does not exist');
    expect(text).toContain('Alarms: 1 firing: dead-letters.');
    expect(text).toMatch(/departments\s+│ complete\s+│ 1\/1/);
  });

  it('redrive --stage, refused by an SQS without StartMessageMoveTask, ends with one clear line and exit 2, moving nothing', async () => {
    const dead = deployed.outputs.DeadLetterQueueUrl!;
    const peek = async () =>
      (
        await sqs.send(new ReceiveMessageCommand({ QueueUrl: dead, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['All'] }))
      ).Messages?.map((m) => [m.MessageId, m.Body, m.MessageAttributes?.reason?.StringValue?.slice(0, 40)]);
    const before = await peek();
    expect(before).toEqual([[expect.any(String), '{"report":"nope"}', 'invalid message: report "nope" does not ']]);
    const { code, out } = await cli('redrive', '--stage', STAGE);
    expect(out.errors).toEqual([
      "zoho-desk-reports: This SQS endpoint cannot move messages (StartMessageMoveTask: HTTP 500 with an answer that is not SQS's; emulators " +
        'such as moto do not have it), so nothing was moved: move them by hand instead (receive from zoho-desk-reports-moto-dead-letter, ' +
        'send to zoho-desk-reports-moto-work, delete from zoho-desk-reports-moto-dead-letter).',
    ]);
    expect(code).toBe(2);
    expect(out.text()).not.toContain('Moving');
    expect(await peek()).toEqual(before);
    expect(await queueDepth(sqs, dead)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect(await queueDepth(sqs, deployed.outputs.WorkQueueUrl!)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

if (!installed) {
  // REQUIRE_MOTO=1 (.ci/run): a missing moto fails the suite instead of skipping the file.
  (required ? it : it.skip)(`needs moto: ${MOTO_INSTALL}`, () => {
    throw new Error(`REQUIRE_MOTO=1, but \`python3 -m moto.server\` cannot run here: ${MOTO_INSTALL}`);
  });
}
