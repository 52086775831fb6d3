import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { compactStore, FULL_COMPACTION_KEY, requestFullCompaction } from '../lib/analytics/store-compaction.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { schedule } from '../lib/aws/scheduler.js';
import { finalizeRecentRuns } from '../lib/pipeline/recent-runs.js';
import { answers, answersWithoutCompaction } from './helpers/answers.js';
import { awsFixture, BUCKET, runEventSource, type AwsFixture } from './helpers/aws.js';
import { packageApp } from './helpers/serverless-package.js';
import { simulatorFixture, tempDir, type Fixture } from './helpers/zoho.js';

// Issue 15 on AWS: compaction of the bucket through the ObjectStore port, over the S3 protocol (fauxqs), with the
// runs planned and read as the Lambdas do. Run, compact, more runs, compact again, a run after: the bucket read
// back to a folder answers every latest view, the tombstones and the report as its raw pages alone do.

const HOUR = 3_600_000;
let zoho: Fixture;
let aws: AwsFixture;
let store: S3ObjectStore;

beforeAll(async () => {
  zoho = await simulatorFixture({ simulator: { seed: 11, tickets: 60, contacts: 80, edition: 'ENTERPRISE' } });
  aws = await awsFixture(zoho);
  store = new S3ObjectStore(aws.clients.s3, BUCKET);
}, 60_000);

afterAll(async () => {
  await aws?.close();
  await zoho?.close();
});

const sim = () => zoho.running.sim;
const deps = () => aws.deps({ clock: sim().clock });
const work = () => ({ url: aws.config.WORK_QUEUE_URL, arn: 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-work' });

/** The scheduler plans a run; the consumers read it, unless `read` is false. */
async function scheduledRun(read = true): Promise<string> {
  const result = await schedule({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, deps(), [], undefined, undefined, []);
  const runId = result.runs[0]?.runId;
  if (!runId) throw new Error(`nothing planned: ${JSON.stringify(result)}`);
  if (read) {
    const { failures } = await runEventSource(aws.clients.sqs, work(), [buildConsumer(deps(), { concurrency: 4 })]);
    expect(failures).toEqual([]);
    await finalizeRecentRuns(store, { now: sim().clock.now(), planningTimeoutMs: 0 });
  }
  return runId;
}

const compact = () => compactStore(store, { now: sim().clock.now(), workDir: join(tmpdir(), `zdr-compact-${process.pid}-${Date.now()}`) });

/** The bucket, every object, in a folder. */
async function bucketToFolder(): Promise<string> {
  const dir = await tempDir();
  for (const key of await store.list('')) {
    await mkdir(dirname(join(dir.path, key)), { recursive: true });
    await writeFile(join(dir.path, key), (await store.getBytes(key)) ?? new Uint8Array());
  }
  return dir.path;
}

const changes = {
  deleteTickets: 2,
  deleteContacts: 2,
  closeTickets: 3,
  editTicketFields: 3,
  editContacts: 3,
  processApprovals: 2,
  newTickets: 3,
  modifiedTickets: 4,
  newThreads: 4,
};

/** Runs of every report (a table each), compactions and DuckDB views: longer than a unit of the suite takes on CI's two cores. */
const WHOLE_EXPORT_TIMEOUT = 90_000;

describe('compaction of the bucket', () => {
  it(
    'leaves the views over the bucket as over its raw pages: run, compact, more runs, compact, a run after',
    async () => {
      const first = await scheduledRun();
      const once = await compact();
      expect(once.horizon).toBe(first);
      expect(once.results.find((r) => r.report === 'tickets')).toMatchObject({ rows: sim().currentRecords('tickets').length, through: first });
      const ticketsPointer = JSON.parse((await store.get('current/tickets/_current.json')) ?? '{}') as { generation: string };
      const departmentsFirst = JSON.parse((await store.get('current/departments/_current.json')) ?? '{}') as { generation: string };
      expect(await store.list(`current/tickets/${ticketsPointer.generation}/`)).toEqual([
        `current/tickets/${ticketsPointer.generation}/part-0.parquet`,
      ]);

      sim().advance(4 * HOUR, changes);
      await scheduledRun();
      sim().advance(4 * HOUR, changes);
      const third = await scheduledRun();
      const twice = await compact();
      expect(twice.horizon).toBe(third);
      // What it copied follows the two runs since, not the bucket: far fewer objects than a compaction from every page.
      const everyPage = (await store.list('')).filter((key) => key.endsWith('.jsonl') && !key.startsWith('_')).length;
      expect(twice.downloaded).toBeLessThan(everyPage * 0.8);
      expect(twice.results.find((r) => r.report === 'tickets')?.through).toBe(third);
      // A report whose records were all unchanged stored no page since: its generation stays, its pointer moves on
      // (the views list the run folders after it, which would otherwise go back to the first run).
      const departments = JSON.parse((await store.get('current/departments/_current.json')) ?? '{}') as { generation: string; through: string };
      expect(twice.results.find((r) => r.report === 'departments')).toMatchObject({ unchanged: true, advanced: true, through: third });
      expect(departments.through).toBe(third);
      expect(departments.generation).toBe(departmentsFirst.generation);

      // A run after, not compacted, and one planned but not read: compaction stops before the run still being read.
      sim().advance(4 * HOUR, changes);
      await scheduledRun();
      sim().advance(4 * HOUR, changes);
      const unread = await scheduledRun(false);
      const before = (await compact()).horizon;
      expect(before).not.toBe(unread);
      expect(before! < unread).toBe(true);
      const { failures } = await runEventSource(aws.clients.sqs, work(), [buildConsumer(deps(), { concurrency: 4 })]);
      expect(failures).toEqual([]);
      await finalizeRecentRuns(store, { now: sim().clock.now(), planningTimeoutMs: 0 });

      const folder = await bucketToFolder();
      expect(await answers(folder)).toEqual(await answersWithoutCompaction(folder));

      // A redrive asks for a full compaction: every page read again, the request then gone; the answers the same.
      await requestFullCompaction(store, sim().clock.now(), 'test');
      const full = await compact();
      expect(full).toMatchObject({ full: true, horizon: unread });
      expect(await store.get(FULL_COMPACTION_KEY)).toBeUndefined();
      const again = await bucketToFolder();
      expect(await answers(again)).toEqual(await answersWithoutCompaction(again));
      // Generations older than the one before the current are gone.
      const generations = new Set((await store.list('current/tickets/gen=')).map((key) => key.split('/')[2]));
      expect(generations.size).toBeLessThanOrEqual(2);
    },
    WHOLE_EXPORT_TIMEOUT,
  );

  it('is what the packaged compactor Lambda does: its zip, unzipped, with DuckDB in it, compacts the next run', async () => {
    const app = await packageApp('test');
    const saved = { ...process.env };
    try {
      const dir = await tempDir();
      execFileSync('python3', ['-m', 'zipfile', '-e', join(app.dir, 'compactor.zip'), dir.path]);
      sim().advance(4 * HOUR, changes);
      const latest = await scheduledRun();
      Object.assign(process.env, aws.lambdaEnv);
      const { handler } = (await import(join(dir.path, 'handlers', 'compactor.mjs'))) as { handler: () => Promise<Record<string, unknown>> };
      const result = await handler();
      expect(result).toMatchObject({ horizon: latest, full: false });
      // Every ticket ever read, deleted ones too (the views apply the tombstones).
      const pointer = JSON.parse((await store.get('current/tickets/_current.json')) ?? '{}') as { through: string; rows: number };
      expect(pointer.through).toBe(latest);
      expect((result.compacted as Record<string, number>).tickets).toBe(pointer.rows);
      expect(pointer.rows).toBeGreaterThanOrEqual(sim().currentRecords('tickets').length);
      // Nothing settled since: nothing compacted, no page copied.
      expect(await handler()).toMatchObject({ horizon: latest, compacted: {}, downloaded: expect.any(Number) });
    } finally {
      process.env = saved;
      await app.remove();
    }
  }, 120_000);
});
