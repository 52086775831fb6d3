import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import { MAX_MESSAGE_BYTES } from '../lib/pipeline/messages.js';
import { runManifests } from '../lib/pipeline/manifest.js';
import { portalStateKey } from './helpers/export.js';
import { awsFixture, lambdaContext, sqsEvent } from './helpers/aws.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();

describe('a problem with one page never stops the whole run', () => {
  it('a queued route missing a parameter Zoho requires is set aside with its reason; every report still completes', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    const queued = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    // Sent by some other system straight onto the queue: /ticketTags needs departmentId.
    await queued.queue.send([{ body: JSON.stringify({ route: '/ticketTags' }) }]);
    await queued.close();

    const context = contextFor(fixture);
    expect(await runReports(['departments', 'agents'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);
    const reopened = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    expect((await reopened.queue.deadLetters()).map((m) => m.reason)).toEqual([expect.stringContaining('departmentId')]);
    await reopened.close();
    expect(await runReports(['departments', 'agents'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const store = new FolderObjectStore(dir.path);
    // The runs that read the reports, one per `run` (the first also finished the queued message first).
    const all = await Promise.all((await store.folders('_runs/')).map((runId) => runManifests(store, runId)));
    const reports = all.filter((manifests) => manifests.some((m) => m.report === 'agents'));
    const complete = [
      ['agents', 'complete'],
      ['departments', 'complete'],
    ];
    expect(reports.map((manifests) => manifests.map((m) => [m.report, m.status]))).toEqual([complete, complete]);
    await dir.remove();
  });

  it('a message naming a secret that does not exist is set aside with that reason; the run goes on', async () => {
    const fixture = await open({ simulator: { tickets: 5 } });
    const dir = await tempDir();
    const queued = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    await queued.queue.send([{ body: JSON.stringify({ report: 'departments', secretId: 'zoho_auth_typo' }) }]);
    await queued.close();
    const context = contextFor(fixture);
    expect(await runReports(['agents'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);
    const reopened = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    expect((await reopened.queue.deadLetters()).map((m) => m.reason)).toEqual([
      expect.stringMatching(/^invalid message: secretId "zoho_auth_typo": No secret file .*zoho_auth_typo\.json/),
    ]);
    await reopened.close();
    await dir.remove();
  });

  it('on AWS, a page too big for SQS fails alone with its reason, and the run is planned', async () => {
    const fixture = await open({ simulator: { tickets: 5 } });
    const aws = await awsFixture(fixture);
    try {
      // An on-demand route just under SQS's limit: its page message (run id, page, from …) would be over it.
      const params: Record<string, string> = {};
      const size = () => JSON.stringify({ route: '/widgets', params }).length;
      const target = MAX_MESSAGE_BYTES - 20;
      for (let i = 0; size() + 1012 < target; i += 1) params[`p${i}`] = 'x'.repeat(1000);
      params.last = 'y'.repeat(target - size() - 10);
      const body = JSON.stringify({ route: '/widgets', params });
      expect(body.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(body.length).toBeGreaterThan(MAX_MESSAGE_BYTES - 40);
      const deps = aws.deps();
      await deps.queue.send([{ body }]);
      const handler = buildConsumer(deps, { concurrency: 1, retry: { baseMs: 0, capMs: 0 } });
      const response = await handler(sqsEvent(await aws.drainQueue(aws.config.WORK_QUEUE_URL)), lambdaContext());
      expect(response).toStrictEqual({ batchItemFailures: [] });
      const bucket = new S3ObjectStore(aws.clients.s3, aws.config.REPORTS_BUCKET);
      const [runId] = await bucket.folders('_runs/');
      const [manifest] = await runManifests(bucket, runId!);
      expect(manifest).toMatchObject({ report: 'route', status: 'failed', pages: { planned: 1, failed: 1 } });
      expect(manifest?.failures[0]?.reason).toMatch(/its queue message would be \d+ bytes, over SQS's 262144/);
    } finally {
      await aws.close();
    }
  });
});

describe('bookkeeping read back through its schema', () => {
  it('a report state whose parents are not a list is quarantined, named, and the report read in full: no ticket "n", "o", "t"', async () => {
    const fixture = await open({ simulator: { tickets: 40 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    expect(await runReports(['pending-approvals'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);
    const store = new FolderObjectStore(dir.path);
    const key = await portalStateKey(dir.path, 'pending-approvals');
    const state = JSON.parse((await store.get(key)) ?? '{}') as Record<string, unknown>;
    await store.put(key, JSON.stringify({ ...state, parents: 'notarray' }), 'application/json');

    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['pending-approvals'], { out: dir.path, ...FAST }, context)).toBe(0);
    expect(context.out.text()).toContain(`Warning: ${key} is invalid (parents: `);
    expect(JSON.parse((await store.get(`_quarantine/${key}`)) ?? '{}')).toMatchObject({ parents: 'notarray' });
    const withApprovals = sim.portal.tickets.filter((t) => t.approvalCount > 0).length;
    const second = (await store.folders('_runs/')).at(-1)!;
    expect((await runManifests(store, second))[0]).toMatchObject({ status: 'complete', pages: { planned: withApprovals } });
    expect(JSON.parse((await store.get(key)) ?? '{}').parents).toEqual(expect.any(Array));
    await dir.remove();
  });
});
