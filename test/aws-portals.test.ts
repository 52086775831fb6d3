import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { schedule } from '../lib/aws/scheduler.js';
import { finalizeRecentRuns } from '../lib/pipeline/recent-runs.js';
import { EDITION_LIMITS } from '../lib/zoho/editions.js';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { queueDepth } from '../lib/aws/operator.js';
import { onDemandMessage } from '../lib/cli/enqueue-command.js';
import { awsFixture, BUCKET, feedConsumer, runEventSource, type AwsFixture } from './helpers/aws.js';
import { expectMirror } from './helpers/mirror.js';
import { simulatorFixture, tempDir, type Fixture } from './helpers/zoho.js';

// Two portals of different editions in one deployment and one bucket, over the SQS and S3 protocols (fauxqs), as
// serverless.yml deploys them (deploy/portals.cjs): the default portal's pages on the work queue, the further
// portal's on a queue of its own, each read by at most as many consumers as its edition allows calls at once
// (the event source's maximum concurrency, run here by hand). The schedule runs both; each portal's part of the
// bucket holds exactly its records, and neither portal saw more calls at once than its own limit.

let zoho: Fixture;
let aws: AwsFixture;

beforeAll(async () => {
  zoho = await simulatorFixture({
    simulator: { seed: 3, tickets: 40, edition: 'ENTERPRISE', portals: [{ seed: 8, tickets: 25, edition: 'STANDARD' }] },
  });
  aws = await awsFixture(zoho, { portalQueues: true });
  // Calls that take a while, so that many are in flight at once and a limit can be crossed.
  for (const sim of zoho.running.sims) sim.setFaults({ latencyMs: 30 });
}, 60_000);

afterAll(async () => {
  await aws?.close();
  await zoho?.close();
});

describe('two portals in one deployment', () => {
  it('are both planned on the schedule, each onto its own queue, read into one bucket apart, each within its own limit', async () => {
    const [a, b] = zoho.running.sims as [typeof zoho.running.sim, typeof zoho.running.sim];
    const secretB = zoho.portalSecrets[0]!;
    const result = await schedule(
      { source: 'aws.events', 'detail-type': 'Scheduled Event' },
      aws.deps(),
      [],
      undefined,
      undefined,
      zoho.portalSecrets,
    );
    expect(result.runs.map((run) => run.secretId)).toEqual([undefined, secretB]);

    // Each queue's event source with its portal's maximum concurrency: one consumer instance (one call at a time,
    // CALLS_PER_INSTANCE) per slot, all at once.
    const instances = (edition: keyof typeof EDITION_LIMITS) =>
      Array.from({ length: EDITION_LIMITS[edition].concurrency }, () => buildConsumer(aws.deps(), { concurrency: 1 }));
    const work = { url: aws.config.WORK_QUEUE_URL, arn: 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-work' };
    const [onWork, onPortal] = await Promise.all([
      runEventSource(aws.clients.sqs, work, instances(a.portal.org.edition)),
      runEventSource(aws.clients.sqs, aws.portalQueues.get(secretB)!, instances(b.portal.org.edition)),
    ]);
    expect([...onWork.failures, ...onPortal.failures]).toEqual([]);
    // Every page of the further portal, chained ones included, went to its own queue; none of the default's did.
    const secretOf = (body: string) => (JSON.parse(body) as { secretId?: string }).secretId;
    expect(onPortal.bodies.length).toBeGreaterThan(10);
    expect(new Set(onPortal.bodies.map(secretOf))).toEqual(new Set([secretB]));
    expect(new Set(onWork.bodies.map(secretOf))).toEqual(new Set([undefined]));
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    await finalizeRecentRuns(store, { now: a.clock.now(), planningTimeoutMs: 0 });

    for (const sim of [a, b]) {
      expect(sim.stats().concurrencyRejections, sim.orgId).toBe(0);
      expect(sim.stats().maxConcurrency, sim.orgId).toBeLessThanOrEqual(EDITION_LIMITS[sim.portal.org.edition].concurrency);
    }
    // The bucket, copied to a folder, holds each portal apart: its pages under its org= folder, its own state.
    const dir = await tempDir();
    const keys = await store.list('');
    for (const key of keys) {
      await mkdir(dirname(join(dir.path, key)), { recursive: true });
      await writeFile(join(dir.path, key), (await store.get(key)) ?? '');
    }
    const pages = keys.filter((k) => k.endsWith('.jsonl') && !k.startsWith('_'));
    expect(pages.filter((k) => !k.includes(`/org=${a.orgId}/`) && !k.includes(`/org=${b.orgId}/`))).toEqual([]);
    expect(keys).toEqual(expect.arrayContaining([`_state/org=${a.orgId}/tickets.json`, `_state/org=${b.orgId}/tickets.json`]));
    await expectMirror(a, dir.path, { onePortal: true });
    await expectMirror(b, dir.path, { onePortal: true });
    await dir.remove();
  }, 120_000);

  it("moves a portal's message pushed to the work queue onto its own queue, and settles a portal queue's records on that queue", async () => {
    const secretB = zoho.portalSecrets[0]!;
    const portal = aws.portalQueues.get(secretB)!;
    const work = { url: aws.config.WORK_QUEUE_URL, arn: 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-work' };
    const sqs = aws.clients.sqs;
    // An on-demand run of portal B pushed to the work queue: its calls must not count against the default's slots.
    await sqs.send(new SendMessageCommand({ QueueUrl: work.url, MessageBody: onDemandMessage('agents', { secretId: secretB }, 'zoho_auth') }));
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    const b = zoho.running.sims[1]!;
    const agentPagesOfB = async () => (await store.list('agents/')).filter((key) => key.includes(`/org=${b.orgId}/`));
    const before = await agentPagesOfB();
    const onWork = await feedConsumer(sqs, work.url, buildConsumer(aws.deps(), { concurrency: 1 }), { queueArn: work.arn, deleteHandled: true });
    expect(onWork.failures).toEqual([]);
    expect(await queueDepth(sqs, work.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect((await queueDepth(sqs, portal.url)).visible).toBe(1);

    // A message on B's queue that can never work is dead-lettered and deleted from B's queue, where its receipt is.
    await sqs.send(new SendMessageCommand({ QueueUrl: portal.url, MessageBody: JSON.stringify({ report: 'nope', secretId: secretB }) }));
    const onPortal = await feedConsumer(sqs, portal.url, buildConsumer(aws.deps(), { concurrency: 1 }), {
      queueArn: portal.arn,
      deleteHandled: true,
    });
    expect(onPortal.failures).toEqual([]);
    expect(await queueDepth(sqs, portal.url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const dead = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
    expect(dead.map((m) => m.MessageAttributes?.reason?.StringValue)).toEqual([expect.stringContaining('report "nope" does not exist')]);
    // The on-demand run, read from B's queue, stored B's agents anew under B's org folder.
    expect((await agentPagesOfB()).length).toBeGreaterThan(before.length);
  }, 60_000);
});
