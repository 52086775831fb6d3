import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { schedule } from '../lib/aws/scheduler.js';
import { ManualClock } from '../lib/clock.js';
import { receiptKey } from '../lib/pipeline/keys.js';
import { pageMessageBody, parseMessage, type PageMessage } from '../lib/pipeline/messages.js';
import { readReceipts, scopeOf } from '../lib/pipeline/receipts.js';
import { printRuns } from '../lib/cli/status-command.js';
import { awsFixture, BUCKET, feedConsumer, lambdaContext, sqsEvent, type AwsFixture } from './helpers/aws.js';
import { fixtures } from './helpers/zoho.js';
import { capture } from './helpers/capture.js';

const open = fixtures();
let aws: AwsFixture | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

const NO_WAIT = { baseMs: 0, capMs: 0 };
const RUN = '2026-11-20T10-00-00Z-ab12';
const threadPage = (ticketId: string): PageMessage => ({
  kind: 'page',
  runId: RUN,
  report: 'threads',
  params: { ticketId },
  page: 1,
  from: 1,
  limit: 100,
  chain: true,
});

describe('the scheduler Lambda', () => {
  it('plans one SQS message per page, each with its receipt, matching the plan', async () => {
    const zoho = await open({ simulator: { tickets: 30 } });
    aws = await awsFixture(zoho);
    const result = await schedule({ reports: ['departments', 'contacts', 'threads'] }, aws.deps(), []);
    // Contacts are in Zoho's recycle bin when deleted: the bin is read with them.
    expect(result.planned).toEqual({ departments: 1, contacts: 1, threads: 30, 'recycle-bin': 1 });
    const messages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
    expect(messages).toHaveLength(33);
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    const pages = messages.map((m) => parseMessage(m.Body ?? '', { secretPrefix: 'zoho_auth' }) as PageMessage);
    expect(new Set(pages.map((p) => p.runId))).toEqual(new Set([result.runId]));
    expect(
      pages
        .filter((p) => p.report === 'threads')
        .map((p) => p.params.ticketId)
        .sort(),
    ).toEqual(zoho.running.sim.portal.tickets.map((t) => t.id).sort());
    // Their planned receipts, in the planner's batch objects: one per page queued, none for a page not queued.
    const receipts = await readReceipts(store, result.runId);
    const identity = (r: { report: string; scope: string; page: number }) => `${r.report} ${r.scope} ${r.page}`;
    expect(
      receipts
        .filter((r) => r.status === 'planned')
        .map(identity)
        .sort(),
    ).toEqual(pages.map((page) => identity({ report: page.report, scope: scopeOf(page), page: page.page })).sort());
  });

  it('refuses a manual invocation it cannot read, naming the problem', async () => {
    const zoho = await open();
    aws = await awsFixture(zoho);
    await expect(schedule({ reports: 'tickets' }, aws.deps(), [])).rejects.toThrow(/The scheduler takes \{"reports": \[\.\.\.\]/);
    await expect(schedule({ reports: ['ticketz'] }, aws.deps(), [])).rejects.toThrow('There is no report "ticketz"');
    await expect(schedule({ secretId: 'prod_db' }, aws.deps(), [])).rejects.toThrow('secretId must start with "zoho_auth"');
  });

  it('a planning that fails marks its run failed with the reason, so status does not show it planning forever', async () => {
    const zoho = await open();
    aws = await awsFixture(zoho);
    const secret = JSON.parse(aws.secretsManager.secrets.get('zoho_auth')?.value ?? '{}') as Record<string, unknown>;
    delete secret.client_id;
    aws.secretsManager.secrets.set('zoho_auth', { value: JSON.stringify(secret), versionId: 'broken', versions: 2 });
    await expect(schedule({ reports: ['departments'] }, aws.deps(), [])).rejects.toThrow(/client_id/);
    const bucket = new S3ObjectStore(aws.clients.s3, BUCKET);
    const [runId] = await bucket.folders('_runs/');
    const run = JSON.parse((await bucket.get(`_runs/${runId}/run.json`)) ?? '{}') as Record<string, unknown>;
    expect(run).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^planning failed: .*client_id/) });
    const out = capture();
    await printRuns(out, bucket, 1);
    expect(out.text()).toContain(`Run ${runId} (cli, failed, started `);
    expect(out.text()).toMatch(/\n {2}planning failed: .*client_id/);
  });
});

describe('the consumer Lambda', () => {
  it('handles a real SQS event and reports exactly the failed message ids', async () => {
    const zoho = await open({ simulator: { tickets: 10 } });
    aws = await awsFixture(zoho);
    const [good1, failing, good2] = zoho.running.sim.portal.tickets;
    zoho.running.sim.setFaults({ failingPaths: [`/tickets/${failing!.id}/`] });
    const deps = aws.deps();
    await deps.queue.send([good1!, failing!, good2!].map((t) => ({ body: pageMessageBody(threadPage(t.id)) })));
    await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.WORK_QUEUE_URL, MessageBody: 'not json' }));
    const messages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
    const handler = buildConsumer(deps, { concurrency: 1, retry: NO_WAIT });

    const response = await handler(sqsEvent(messages), lambdaContext());

    const failingMessage = messages.find((m) => m.Body?.includes(failing!.id));
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: failingMessage?.MessageId }] });
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    const pages = (await store.list('threads/')).filter((k) => k.endsWith('.jsonl'));
    expect(pages).toEqual(
      [good1!, good2!].map((t) => `threads/dt=2026-11-20/org=${zoho.running.sim.orgId}/run=${RUN}/ticket=${t.id}/page-00001.jsonl`).sort(),
    );
    const dead = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
    expect(dead.map((m) => [m.Body, m.MessageAttributes?.reason?.StringValue])).toEqual([
      ['not json', expect.stringMatching(/^invalid message: the message is not JSON/)],
    ]);
  });

  it('sends a page that fails on every receive to the dead-letter queue after maxReceiveCount, with the reason', async () => {
    const zoho = await open({ simulator: { tickets: 5 } });
    aws = await awsFixture(zoho);
    const ticket = zoho.running.sim.portal.tickets[0]!;
    zoho.running.sim.setFaults({ failingPaths: [`/tickets/${ticket.id}/`] });
    const deps = aws.deps();
    await deps.queue.send([{ body: pageMessageBody(threadPage(ticket.id)) }]);
    const handler = buildConsumer(deps, { concurrency: 1, retry: NO_WAIT });
    const { rounds } = await feedConsumer(aws.clients.sqs, aws.config.WORK_QUEUE_URL, handler, { maxRounds: 10 });
    const receives = rounds.flat().map((m) => m.Attributes?.ApproximateReceiveCount ?? '?');
    expect(receives).toEqual(['1', '2', '3', '4', '5']);
    const dead = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.MessageAttributes?.reason?.StringValue).toMatch(/^failed 5 times; the last time: Zoho Desk answered HTTP 500/);
    const receipt = await new S3ObjectStore(aws.clients.s3, BUCKET).get(receiptKey('threads', RUN, `ticket=${ticket.id}/`, 1));
    expect(JSON.parse(receipt ?? '{}')).toMatchObject({ status: 'dead-lettered' });
  });

  it('overwrites its own object when a page is delivered twice', async () => {
    const zoho = await open({ simulator: { tickets: 5 } });
    aws = await awsFixture(zoho);
    const deps = aws.deps();
    const ticket = zoho.running.sim.portal.tickets[1]!;
    await deps.queue.send([{ body: pageMessageBody(threadPage(ticket.id)) }]);
    const event = sqsEvent(await aws.drainQueue(aws.config.WORK_QUEUE_URL));
    const handler = buildConsumer(deps, { concurrency: 1, retry: NO_WAIT });
    expect(await handler(event, lambdaContext())).toStrictEqual({ batchItemFailures: [] });
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    const before = await store.list('threads/');
    const body = await store.get(before[0]!);
    expect(await handler(event, lambdaContext())).toStrictEqual({ batchItemFailures: [] });
    expect(await store.list('threads/')).toEqual(before);
    expect(await store.get(before[0]!)).toBe(body);
  });

  it('does not start a record with too little of the invocation left, and hands it back', async () => {
    const zoho = await open({ simulator: { tickets: 5 } });
    aws = await awsFixture(zoho);
    const deps = aws.deps();
    await deps.queue.send([{ body: pageMessageBody(threadPage(zoho.running.sim.portal.tickets[0]!.id)) }]);
    const messages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
    const response = await buildConsumer(deps, { concurrency: 1 })(sqsEvent(messages), lambdaContext(5_000));
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: messages[0]?.MessageId }] });
    expect(zoho.running.sim.stats().calls.ticketThreads).toBeUndefined();
    expect(await aws.drainQueue(aws.config.WORK_QUEUE_URL)).toHaveLength(1); // visible again at once
  });
});

describe('the Zoho secret in Secrets Manager, shared by many consumers', () => {
  it('exchanges the grant code exactly once when many consumers start at once, and all use its token', async () => {
    const zoho = await open({ simulator: { tickets: 12 } });
    aws = await awsFixture(zoho);
    const consumers = Array.from({ length: 8 }, () => aws!.deps());
    const tickets = zoho.running.sim.portal.tickets;
    const results = await Promise.all(
      consumers.map(async (deps, i) => {
        await deps.queue.send([{ body: pageMessageBody(threadPage(tickets[i]!.id)) }]);
        return (await deps.zoho(undefined)).desk.page('ticketThreads', { path: { ticketId: tickets[i]!.id } });
      }),
    );
    expect(results.every((page) => page.records.length > 0)).toBe(true);
    expect(zoho.running.sim.stats()).toMatchObject({ codesExchanged: 1, tokensMinted: 0 });
    const stored = JSON.parse(aws.secretsManager.secrets.get('zoho_auth')?.value ?? '{}') as Record<string, unknown>;
    expect(stored.refresh_token).toBeDefined();
    expect(stored).not.toHaveProperty('code');
  });

  it('shares the access token across its expiry: twelve consumers mint one token between them', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const zoho = await open({ simulator: { tickets: 5, clock }, clock });
    aws = await awsFixture(zoho);
    const consumers = Array.from({ length: 12 }, () => aws!.deps({ clock }));
    const call = (i: number) => consumers[i]!.zoho(undefined).then((z) => z.desk.page('departments'));
    for (let i = 0; i < consumers.length; i += 1) await call(i);
    expect(zoho.running.sim.stats()).toMatchObject({ codesExchanged: 1, tokensMinted: 0 });
    // Through the last twelve minutes of the token's hour and past it, every consumer keeps working.
    for (let minute = 48; minute <= 62; minute += 0.5) {
      clock.set(Date.parse('2026-11-20T10:00:00Z') + minute * 60_000);
      for (let i = 0; i < consumers.length; i += 1) await call(i);
    }
    expect(zoho.running.sim.stats()).toMatchObject({ tokensMinted: 1, tokenThrottled: 0 });
  });

  it('keeps under the mint limit when twelve consumers are busy at once through the expiry (refreshes are spread out)', async () => {
    const clock = new ManualClock('2026-11-20T10:00:00Z');
    const zoho = await open({ simulator: { tickets: 5, clock }, clock });
    aws = await awsFixture(zoho);
    const consumers = Array.from({ length: 12 }, () => aws!.deps({ clock }));
    const everyone = () => Promise.all(consumers.map((deps) => deps.zoho(undefined).then((z) => z.desk.page('departments'))));
    await everyone();
    for (let minute = 48; minute <= 62; minute += 0.5) {
      clock.set(Date.parse('2026-11-20T10:00:00Z') + minute * 60_000);
      await everyone();
    }
    // Without the spread all twelve would refresh together: ten mints, then "Access Denied".
    const { tokensMinted, tokenThrottled } = zoho.running.sim.stats();
    expect(tokenThrottled).toBe(0);
    expect(tokensMinted).toBeGreaterThanOrEqual(1);
    expect(tokensMinted).toBeLessThanOrEqual(10);
  });
});
