import type { Message } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { buildScheduler, schedule } from '../lib/aws/scheduler.js';
import { ManualClock } from '../lib/clock.js';
import { planCheckpointKey } from '../lib/pipeline/keys.js';
import { readRunRecord, runManifests } from '../lib/pipeline/manifest.js';
import { planMessageBody } from '../lib/pipeline/messages.js';
import { awsFixture, BUCKET, feedConsumer, lambdaContext, type AwsFixture } from './helpers/aws.js';
import { pageIdentity } from './helpers/planning.js';
import { fixtures } from './helpers/zoho.js';

const open = fixtures();
let aws: AwsFixture | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

const REPORTS = ['departments', 'agents', 'contacts', 'tickets', 'threads', 'ticket-time-entries', 'pending-approvals'];
/** Less than the scheduler keeps for finishing (5 s) and for stopping in time (20 s): every part plans one unit. */
const LITTLE_TIME_MS = 21_000;

/** A run's page messages with the run id left out, for comparing two runs' plans. */
const withoutRun = (messages: Message[], runId: string) => messages.map((m) => (m.Body ?? '').replaceAll(runId, '<run>')).sort();

describe('a planning longer than the scheduler Lambda has', () => {
  it('stops before the invocation ends, and the plan queue goes on with it, one part per invocation, to the pages one planning queues', async () => {
    const zoho = await open({ simulator: { tickets: 250 } });
    aws = await awsFixture(zoho);
    // Both runs planned at the same moment (the same end of every window); the clock stands still, so each part's
    // deadline is reached as it starts.
    const clock = new ManualClock(Date.now());
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    const whole = await schedule({ reports: REPORTS }, aws.deps({ clock }), []);
    expect(whole.continues).toBe(false);
    const wholePages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);

    const deps = aws.deps({ clock });
    const scheduler = buildScheduler(deps, []);
    const first = await scheduler({ reports: REPORTS }, lambdaContext(LITTLE_TIME_MS));
    expect(first).toMatchObject({ continues: true, finalized: [whole.runId] });
    const { runId } = first;
    expect(await readRunRecord(store, runId)).toMatchObject({ status: 'planning', continuing: { part: 2 } });

    // The plan queue's event source, by hand: each invocation plans one part and queues the next.
    const { rounds, failures } = await feedConsumer(aws.clients.sqs, aws.config.PLAN_QUEUE_URL as string, scheduler, {
      remainingMs: LITTLE_TIME_MS,
      deleteHandled: true,
      maxRounds: 200,
    });
    expect(failures).toEqual([]);
    expect(rounds.length).toBeGreaterThanOrEqual(5);
    expect(rounds.map((round) => round.map((m) => JSON.parse(m.Body ?? '{}').part))).toEqual(rounds.map((_, i) => [i + 2]));
    const planned = await readRunRecord(store, runId);
    expect(planned).toMatchObject({ status: 'planned', planned: whole.planned });
    expect(planned?.continuing).toBeUndefined();
    expect(await store.get(planCheckpointKey(runId))).toBeUndefined();

    // A plan message delivered again once the run is planned: nothing planned, nothing queued.
    await (deps.planQueue ?? deps.queue).send([{ body: planMessageBody(runId, 2) }]);
    const again = await feedConsumer(aws.clients.sqs, aws.config.PLAN_QUEUE_URL as string, scheduler, { deleteHandled: true });
    expect(again.failures).toEqual([]);
    expect(again.rounds.flat()).toHaveLength(1);

    // The consumer reads every page: the first round holds the pages the parts queued (the first run's are in flight).
    const consumer = buildConsumer(aws.deps({ clock }), { concurrency: 1, retry: { baseMs: 0, capMs: 0 } });
    const read = await feedConsumer(aws.clients.sqs, aws.config.WORK_QUEUE_URL, consumer, { deleteHandled: true, maxRounds: 20 });
    expect(read.failures).toEqual([]);
    const queued = read.rounds[0] ?? [];
    expect(withoutRun(queued, runId)).toEqual(withoutRun(wholePages, whole.runId));
    expect(new Set(queued.map((m) => pageIdentity(m.Body ?? ''))).size).toBe(queued.length);
    const manifests = await runManifests(store, runId);
    expect(manifests.map((m) => [m.report, m.status])).toEqual([...REPORTS, 'recycle-bin'].sort().map((report) => [report, 'complete']));
  }, 120_000);
});
