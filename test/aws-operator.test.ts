import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DeleteMessageCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSServiceException,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { awsAuthInit, awsEnqueue, awsRedrive, awsStatus } from '../lib/cli/aws-commands.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { schedule } from '../lib/aws/scheduler.js';
import { queueDepth, type OperatorClients } from '../lib/aws/operator.js';
import { ConfigError } from '../lib/errors.js';
import { pageMessageBody, parseMessage, planMessageBody } from '../lib/pipeline/messages.js';
import { awsFixture, BUCKET, feedConsumer, lambdaContext, sqsEvent, stubCloudFormation, type AwsFixture } from './helpers/aws.js';
import { FULL_COMPACTION_KEY } from '../lib/analytics/store-compaction.js';
import { fixtures } from './helpers/zoho.js';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import type { PipelineDeps } from '../lib/pipeline/deps.js';
import { capture } from './helpers/capture.js';
import { rejection } from './helpers/errors.js';
import { storedRecords } from './helpers/stored.js';

const open = fixtures();
let aws: AwsFixture | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/**
 * The real SQS client against fauxqs, except StartMessageMoveTask and ListMessageMoveTasks, which fauxqs does
 * not implement: those two are STUBBED here, recording the call and reporting a task that completes. Given
 * the two queue URLs, the stub also moves the messages (with fauxqs's receive, send and delete).
 */
function sqsWithStubbedMoveTasks(real: SQSClient, calls: unknown[], move?: { from: string; to: string }): SQSClient {
  let polls = 0;
  return {
    send: async (command: unknown) => {
      if (command instanceof StartMessageMoveTaskCommand) {
        calls.push(command.input);
        for (let more = true; move && more; ) {
          const { Messages = [] } = await real.send(new ReceiveMessageCommand({ QueueUrl: move.from, MaxNumberOfMessages: 10 }));
          more = Messages.length > 0;
          for (const m of Messages) {
            await real.send(new SendMessageCommand({ QueueUrl: move.to, MessageBody: m.Body ?? '' }));
            await real.send(new DeleteMessageCommand({ QueueUrl: move.from, ReceiptHandle: m.ReceiptHandle ?? '' }));
          }
        }
        return { TaskHandle: 'task-1' };
      }
      if (command instanceof ListMessageMoveTasksCommand) {
        polls += 1;
        const done = polls > 1;
        return {
          Results: [{ Status: done ? 'COMPLETED' : 'RUNNING', ApproximateNumberOfMessagesMoved: done ? 2 : 1, ApproximateNumberOfMessagesToMove: 2 }],
        };
      }
      return real.send(command as never);
    },
  } as unknown as SQSClient;
}

/** A STUB CloudWatch client refused as an operator without cloudwatch:DescribeAlarms is (fauxqs has no CloudWatch). */
const refusingCloudWatch = {
  send: async () => {
    throw Object.assign(new Error('User: arn:aws:iam::000000000000:user/operator is not authorized to perform: cloudwatch:DescribeAlarms'), {
      name: 'AccessDenied',
    });
  },
} as unknown as CloudWatchClient;

function context(fixture: AwsFixture, moveCalls: unknown[] = [], move = false) {
  const clients: OperatorClients = {
    cfn: stubCloudFormation(fixture),
    sqs: sqsWithStubbedMoveTasks(
      fixture.clients.sqs,
      moveCalls,
      move ? { from: fixture.config.DEAD_LETTER_QUEUE_URL, to: fixture.config.WORK_QUEUE_URL } : undefined,
    ),
    s3: fixture.clients.s3,
    secrets: fixture.clients.secrets,
    cloudwatch: refusingCloudWatch,
  };
  return { env: {}, out: capture(), awsClients: () => clients };
}

/** Page `n` of an agents run, of the portal `portal` names, as a dead-lettered message body. */
const agentsPage = (n: number, portal: { orgId?: string; secretId?: string }) =>
  pageMessageBody({
    kind: 'page',
    runId: '2026-11-24T12-00-00Z-4f2a',
    report: 'agents',
    params: {},
    page: n,
    from: 0,
    limit: 100,
    chain: true,
    ...portal,
  });

describe('operator commands against the deployed stack', () => {
  it('enqueue puts a checked on-demand message on the work queue found from the stack outputs', async () => {
    const zoho = await open();
    aws = await awsFixture(zoho);
    const ctx = context(aws);
    expect(await awsEnqueue('threads', { stage: 'test', param: ['ticketId=1329983000000425001'] }, ctx)).toBe(0);
    const [message] = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
    expect(parseMessage(message?.Body ?? '', { secretPrefix: 'zoho_auth' })).toEqual({
      kind: 'on-demand',
      report: 'threads',
      params: { ticketId: '1329983000000425001' },
    });
    const refused = await rejection(awsEnqueue(undefined, { stage: 'test', route: '/tickets/../oauth' }, ctx));
    expect(refused).toBeInstanceOf(ConfigError);
    expect(await aws.drainQueue(aws.config.WORK_QUEUE_URL)).toHaveLength(0);
    const noStack = await rejection(awsEnqueue('tickets', { stage: 'prod' }, ctx));
    expect(noStack.message).toContain('There is no stack zoho-desk-reports-prod in this region: deploy it with `npx serverless deploy --stage prod`');
  });

  it('status shows the queues, why pages were dead-lettered, alarms unknown when CloudWatch refuses, and the runs in the bucket', async () => {
    const zoho = await open({ simulator: { tickets: 4 } });
    aws = await awsFixture(zoho);
    const deps = aws.deps();
    await schedule({ reports: ['departments'] }, deps, []);
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.WORK_QUEUE_URL, MessageBody: '{"report":"nope"}' }));
    const messages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
    await buildConsumer(deps, { concurrency: 1 })(sqsEvent(messages), lambdaContext());
    const ctx = context(aws);
    await awsStatus({ stage: 'test', runs: 3 }, ctx);
    const text = ctx.out.text();
    expect(text).toContain('Dead-letter queue: 1 message(s).');
    expect(text).toContain('1 × invalid message: report "nope" does not exist');
    expect(text).toContain(
      'Alarms: unknown (User: arn:aws:iam::000000000000:user/operator is not authorized to perform: cloudwatch:DescribeAlarms).',
    );
    expect(text).toMatch(/departments\s+│ complete\s+│ 1\/1/);
    expect(text).toContain('redrive --stage test');
  });

  it('redrive starts an SQS message move task from the dead-letter queue to the work queue and follows it', async () => {
    const zoho = await open();
    aws = await awsFixture(zoho);
    const calls: unknown[] = [];
    const ctx = context(aws, calls);
    expect(await awsRedrive({ stage: 'test' }, ctx, async () => undefined)).toBe(0);
    expect(ctx.out.text()).toContain('nothing to redrive');
    expect(calls).toEqual([]);

    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.DEAD_LETTER_QUEUE_URL, MessageBody: 'a' }));
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.DEAD_LETTER_QUEUE_URL, MessageBody: 'b' }));
    expect(await awsRedrive({ stage: 'test' }, ctx, async () => undefined)).toBe(0);
    expect(calls).toEqual([
      {
        SourceArn: 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-dead-letter',
        DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-work',
      },
    ]);
    expect(ctx.out.text()).toContain('Moving 2 dead-lettered message(s)');
    expect(ctx.out.text()).toContain('RUNNING: 1/2 moved');
    expect(ctx.out.text()).toContain('COMPLETED: 2/2 moved');
    // The pages go back into runs the compactor may have compacted: its next pass reads every page.
    expect(await new S3ObjectStore(aws.clients.s3, BUCKET).get(FULL_COMPACTION_KEY)).toContain('redriven');
  });

  it("redrive --portal moves that portal's dead-lettered pages alone, by hand, and leaves the others where they were", async () => {
    aws = await awsFixture(await open());
    const calls: unknown[] = [];
    const ctx = context(aws, calls);
    const page = (orgId: string, n: number) => agentsPage(n, { orgId });
    for (const body of [page('20001', 1), page('10001', 1), page('20001', 2), 'not a message']) {
      await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.DEAD_LETTER_QUEUE_URL, MessageBody: body }));
    }
    expect(await awsRedrive({ stage: 'test', portal: '20001' }, ctx, async () => undefined)).toBe(0);
    expect(calls).toEqual([]); // no message move task: it would move every portal's
    expect(ctx.out.text()).toContain('Moved 2 dead-lettered message(s) of portal 20001 back to its work queue; 2 of other portals stay.');
    expect(await new S3ObjectStore(aws.clients.s3, BUCKET).get(FULL_COMPACTION_KEY)).toContain('redriven');
    expect((await aws.drainQueue(aws.config.WORK_QUEUE_URL)).map((m) => m.Body).sort()).toEqual([page('20001', 1), page('20001', 2)].sort());
    expect((await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL)).map((m) => m.Body).sort()).toEqual([page('10001', 1), 'not a message'].sort());
  });

  it("with a queue per further portal: status shows each, enqueue --portal and redrive send each page to its own portal's queue", async () => {
    const zoho = await open({ simulator: { tickets: 2, portals: [{ seed: 5, tickets: 2, edition: 'STANDARD' }] } });
    aws = await awsFixture(zoho, { portalQueues: true });
    const secretB = zoho.portalSecrets[0]!;
    const portalQueue = aws.portalQueues.get(secretB)!.url;
    const calls: unknown[] = [];
    const ctx = context(aws, calls);

    expect(await awsEnqueue('agents', { stage: 'test', secretId: secretB }, ctx)).toBe(0);
    expect(ctx.out.text()).toContain(`work queue of portal ${secretB}: the consumer picks it up`);
    expect(await aws.drainQueue(aws.config.WORK_QUEUE_URL)).toEqual([]);
    expect((await aws.drainQueue(portalQueue)).map((m) => JSON.parse(m.Body!).secretId)).toEqual([secretB]);

    const page = (secretId: string | undefined, n: number) => agentsPage(n, secretId ? { secretId } : {});
    const plan = planMessageBody('2026-11-24T12-00-00Z-4f2a', 2);
    for (const body of [page(secretB, 1), page(undefined, 1), page(secretB, 2), plan]) {
      await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.DEAD_LETTER_QUEUE_URL, MessageBody: body }));
    }
    await awsStatus({ stage: 'test', runs: 1 }, ctx);
    expect(ctx.out.text()).toMatch(new RegExp(`Work queue of portal ${secretB}: \\d+ waiting`));
    expect(ctx.out.text()).toContain('Dead-letter queue: 4 message(s).');

    // Every portal's pages back to the queue they failed from: SQS's move task could only send all to one queue.
    expect(await awsRedrive({ stage: 'test' }, ctx, async () => undefined)).toBe(0);
    expect(calls).toEqual([]);
    expect(ctx.out.text()).toContain("Moved 4 dead-lettered message(s) back to their portals' work queues. The consumer fetches them again now.");
    expect(ctx.out.text()).not.toContain('not yet answered');
    expect((await aws.drainQueue(portalQueue)).map((m) => m.Body).sort()).toEqual([page(secretB, 1), page(secretB, 2)].sort());
    expect((await aws.drainQueue(aws.config.WORK_QUEUE_URL)).map((m) => m.Body)).toEqual([page(undefined, 1)]);
    // A part of a planning goes back to the plan queue, where the scheduler takes it.
    expect((await aws.drainQueue(aws.config.PLAN_QUEUE_URL!)).map((m) => m.Body)).toEqual([plan]);
    expect(await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL)).toEqual([]);
  });

  it('redrive against an SQS without message move tasks (fauxqs answers InvalidAction) says so in one line and moves nothing', async () => {
    aws = await awsFixture(await open());
    const ctx = context(aws);
    const clients = { ...ctx.awsClients(), sqs: aws.clients.sqs }; // the real client: nothing stubbed
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.DEAD_LETTER_QUEUE_URL, MessageBody: 'a' }));
    const refused = await rejection(awsRedrive({ stage: 'test' }, { ...ctx, awsClients: () => clients }, async () => undefined));
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused.message).toBe(
      'This SQS endpoint cannot move messages (StartMessageMoveTask: InvalidAction; emulators such as moto do not have it), so nothing was moved: ' +
        'move them by hand instead (receive from zoho-desk-reports-test-dead-letter, send to zoho-desk-reports-test-work, delete from zoho-desk-reports-test-dead-letter).',
    );
    expect(ctx.out.text()).not.toContain('Moving');
    expect((await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL)).map((m) => m.Body)).toEqual(['a']);
    expect(await aws.drainQueue(aws.config.WORK_QUEUE_URL)).toEqual([]);
  });

  it('redrive refused for want of permission names the permissions; a refused ListMessageMoveTasks after the start says how to follow', async () => {
    aws = await awsFixture(await open());
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.DEAD_LETTER_QUEUE_URL, MessageBody: 'a' }));
    // A STUB for the refusals: no emulator here enforces IAM on SQS. The error is the one the SDK builds
    // from SQS's 403 answer; every other call goes to fauxqs.
    const denied = () =>
      new SQSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User: arn:aws:iam::000000000000:user/ops is not authorized',
      });
    const refusing = (operation: 'start' | 'list') =>
      ({
        send: async (command: unknown) => {
          if (command instanceof StartMessageMoveTaskCommand) {
            if (operation === 'start') throw denied();
            return { TaskHandle: 'task-1' };
          }
          if (command instanceof ListMessageMoveTasksCommand) throw denied();
          return aws!.clients.sqs.send(command as never);
        },
      }) as unknown as SQSClient;
    const ctx = context(aws);
    const withSqs = (sqs: SQSClient) => ({ ...ctx, awsClients: () => ({ ...ctx.awsClients(), sqs }) });

    const start = await rejection(awsRedrive({ stage: 'test' }, withSqs(refusing('start')), async () => undefined));
    expect(start).toBeInstanceOf(ConfigError);
    expect(start.message).toBe(
      'SQS refused StartMessageMoveTask (AccessDenied), so nothing was moved: your AWS credentials need sqs:StartMessageMoveTask, sqs:ListMessageMoveTasks, ' +
        'sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on zoho-desk-reports-test-dead-letter, and sqs:SendMessage on zoho-desk-reports-test-work.',
    );
    const list = await rejection(awsRedrive({ stage: 'test' }, withSqs(refusing('list')), async () => undefined));
    expect(list).toBeInstanceOf(ConfigError);
    expect(list.message).toBe(
      'SQS is moving the dead-lettered messages, but refused ListMessageMoveTasks (AccessDenied), so their progress cannot be followed here: ' +
        '`status` shows the dead-letter queue empty out; your AWS credentials need sqs:ListMessageMoveTasks on it.',
    );
    expect(ctx.out.text()).toContain('Moving 1 dead-lettered message(s)');
  });

  it('auth init exchanges the grant code held in Secrets Manager and stores the refresh token there', async () => {
    const zoho = await open({ simulator: { edition: 'PROFESSIONAL' } });
    aws = await awsFixture(zoho);
    const ctx = { ...context(aws), env: zoho.env };
    const result = await awsAuthInit({ secretId: 'zoho_auth' }, ctx);
    expect(result).toMatchObject({ orgId: zoho.running.sim.orgId, edition: 'PROFESSIONAL', exchanged: true });
    const stored = JSON.parse(aws.secretsManager.secrets.get('zoho_auth')?.value ?? '{}') as Record<string, unknown>;
    expect(stored.refresh_token).toBeDefined();
    expect(stored).not.toHaveProperty('code');
    expect(ctx.out.text()).toContain('stored in the Secrets Manager secret zoho_auth');
    const missing = await rejection(awsAuthInit({ secretId: 'zoho_auth_eu' }, ctx));
    expect(missing.message).toBe(
      'There is no Secrets Manager secret zoho_auth_eu in this region. Create it as JSON with client_id, client_secret, code and org_id (README: Deploy to AWS), or set ZOHO_SECRET_ID to its name.',
    );
  });
});

/** The consumer fed every message of the work queue until it is empty. */
async function consumeAll(fixture: AwsFixture, deps: PipelineDeps): Promise<void> {
  const handler = buildConsumer(deps, { concurrency: 5, retry: { baseMs: 0, capMs: 0 } });
  await feedConsumer(fixture.clients.sqs, fixture.config.WORK_QUEUE_URL, handler);
}

async function storedIds(fixture: AwsFixture, report: string): Promise<string[]> {
  const bucket = new S3ObjectStore(fixture.clients.s3, fixture.config.REPORTS_BUCKET);
  return (await storedRecords(bucket, report)).map((r) => String(r.id)).sort();
}

describe('the three ways in, on AWS', () => {
  it('an on-demand message pushed to SQS is planned into pages and fetched', async () => {
    const zoho = await open({ simulator: { tickets: 6 } });
    aws = await awsFixture(zoho);
    const ticket = zoho.running.sim.portal.tickets.find((t) => t.baseThreads > 1)!;
    await aws.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: aws.config.WORK_QUEUE_URL,
        MessageBody: JSON.stringify({ report: 'threads', params: { ticketId: ticket.id } }),
      }),
    );
    await consumeAll(aws, aws.deps());
    expect(await storedIds(aws, 'threads')).toEqual(
      ticketThreads(zoho.running.sim.portal, ticket)
        .map((t) => t.id)
        .sort(),
    );
  });

  it('after a Zoho outage, the pages in the dead-letter queue are redriven and the output is complete', async () => {
    const zoho = await open({ simulator: { tickets: 12 } });
    aws = await awsFixture(zoho);
    const deps = aws.deps();
    await schedule({ reports: ['threads', 'contacts'] }, deps, []);
    zoho.running.sim.setFaults({ outage: true });
    await consumeAll(aws, deps);
    // 12 tickets' threads, one page of contacts and one of the recycle bin (read with contacts), each failed five times.
    expect(await queueDepth(aws.clients.sqs, aws.config.DEAD_LETTER_QUEUE_URL)).toEqual({ visible: 14, inFlight: 0, delayed: 0 });
    expect(await storedIds(aws, 'threads')).toEqual([]);

    zoho.running.sim.setFaults({ outage: false });
    const calls: unknown[] = [];
    expect(await awsRedrive({ stage: 'test' }, context(aws, calls, true), async () => undefined)).toBe(0);
    await consumeAll(aws, deps);
    const { portal } = zoho.running.sim;
    expect(await storedIds(aws, 'threads')).toEqual(portal.tickets.flatMap((t) => ticketThreads(portal, t).map((th) => th.id)).sort());
    expect(await storedIds(aws, 'contacts')).toEqual(portal.contacts.map((c) => c.id).sort());
    const status = context(aws);
    await awsStatus({ stage: 'test', runs: 1 }, status);
    expect(status.out.text()).toMatch(/threads\s+│ complete\s+│ 12\/12/);
  });
});
