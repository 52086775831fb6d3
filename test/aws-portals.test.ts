import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { schedule } from '../lib/aws/scheduler.js';
import { finalizeRecentRuns } from '../lib/pipeline/recent-runs.js';
import { EDITION_LIMITS } from '../lib/zoho/editions.js';
import { awsFixture, BUCKET, feedConsumer, type AwsFixture } from './helpers/aws.js';
import { expectMirror } from './helpers/mirror.js';
import { simulatorFixture, tempDir, type Fixture } from './helpers/zoho.js';

// Two portals of different editions on one queue and one bucket, over the SQS and S3 protocols (fauxqs): the
// schedule runs both, the consumer reads each from its own portal, and each portal's part of the bucket holds
// exactly its records.

let zoho: Fixture;
let aws: AwsFixture;

beforeAll(async () => {
  zoho = await simulatorFixture({
    simulator: { seed: 3, tickets: 40, edition: 'ENTERPRISE', portals: [{ seed: 8, tickets: 25, edition: 'STANDARD' }] },
  });
  aws = await awsFixture(zoho);
}, 60_000);

afterAll(async () => {
  await aws?.close();
  await zoho?.close();
});

describe('two portals in one deployment', () => {
  it('are both planned on the schedule, read into one bucket apart, each within its own limit', async () => {
    const [a, b] = zoho.running.sims as [typeof zoho.running.sim, typeof zoho.running.sim];
    const deps = aws.deps();
    const result = await schedule({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, deps, [], undefined, undefined, zoho.portalSecrets);
    expect(result.runs.map((run) => run.secretId)).toEqual([undefined, zoho.portalSecrets[0]]);

    const consumer = buildConsumer(aws.deps(), { concurrency: 4 });
    const fed = await feedConsumer(aws.clients.sqs, aws.config.WORK_QUEUE_URL, consumer, { deleteHandled: true });
    expect(fed.failures).toEqual([]);
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    await finalizeRecentRuns(store, { now: a.clock.now(), planningTimeoutMs: 0 });

    for (const sim of [a, b]) {
      expect(sim.stats().concurrencyRejections, sim.orgId).toBe(0);
      expect(sim.stats().maxConcurrency).toBeLessThanOrEqual(EDITION_LIMITS[sim.portal.org.edition].concurrency);
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
});
