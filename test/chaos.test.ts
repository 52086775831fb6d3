import { ATTACHMENTS_PREFIX } from '../lib/pipeline/attachment-files.js';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { finalizeRun } from '../lib/pipeline/manifest.js';
import { planRun } from '../lib/pipeline/planner.js';
import { awsFixture, feedConsumer } from './helpers/aws.js';
import { chaosScenario } from '../bench/chaos.js';
import { ALL_REPORTS, runOnce } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';
import { reportFiles } from './helpers/stored.js';

const open = fixtures();
const RUN = '2026-11-20T10-00-00Z-c4a0';
const CHAOS = { serverErrorRate: 0.1, tooManyRequestsRate: 0.05, resetRate: 0.03 };

/**
 * The chaos scenario: 10% 5xx, 5% TOO_MANY_REQUESTS, slow answers past the client's timeout, dropped
 * connections, the token expiring while the token endpoint answers "Access Denied" for a while, and a total
 * outage long enough to exhaust the receive count. Then redrive. The output must be the clean run's, byte
 * for byte.
 */
describe('chaos', () => {
  it('on this machine: every kind of fault, then redrive, gives byte-identical output', async () => {
    const result = await chaosScenario(60, 60, 25);
    expect(result.mismatched).toEqual([]);
    expect(result.files).toBeGreaterThan(100);
    expect(result.status).toEqual(['complete']);
    expect(result.tokenThrottled).toBeGreaterThanOrEqual(1);
    for (const kind of ['server-error', 'too-many-requests', 'slow', 'reset'] as const) expect(result.faults[kind], kind).toBeGreaterThan(0);
    expect(result.faults.outage).toBeGreaterThanOrEqual(25 * 5);
    expect(result.deadLettered).toBeGreaterThanOrEqual(25);
    console.info(
      `chaos (local): ${result.faultedCalls} faulted calls (${JSON.stringify(result.faults)}), ${result.deadLettered} pages ` +
        `dead-lettered and redriven, ${result.records} records in ${result.files} files compared byte for byte`,
    );
  });

  it('through the AWS adapters (fauxqs, the Secrets Manager stand-in): faults, the dead-letter queue, then a clean output', async () => {
    const fixture = await open({ simulator: { tickets: 30 } });
    const { sim } = fixture.running;
    const clean = await tempDir();
    await runOnce(fixture, clean.path, RUN, ALL_REPORTS);
    const aws = await awsFixture(fixture);
    try {
      const deps = aws.deps();
      await planRun({ runId: RUN, targets: ALL_REPORTS, trigger: 'schedule' }, deps);
      const handler = buildConsumer(deps, { concurrency: 5, retry: { baseMs: 0, capMs: 0 } });
      const consumeAll = (queueUrl: string) => feedConsumer(aws.clients.sqs, queueUrl, handler);
      sim.setFaults(CHAOS);
      await consumeAll(aws.config.WORK_QUEUE_URL);
      expect(Object.values(sim.stats().faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      const bucket = new S3ObjectStore(aws.clients.s3, aws.config.REPORTS_BUCKET);
      await finalizeRun(bucket, RUN); // on AWS the next scheduler run writes the manifests before it plans
      // An outage through a whole second run: every one of its pages ends in the dead-letter queue.
      const second = '2026-11-20T11-00-00Z-c4a1';
      const plan = await planRun(
        {
          runId: second,
          targets: [
            { report: 'departments', params: {} },
            { report: 'agents', params: {} },
          ],
          trigger: 'schedule',
        },
        deps,
      );
      sim.setFaults({ outage: true });
      await consumeAll(aws.config.WORK_QUEUE_URL);
      sim.setFaults({ outage: false, serverErrorRate: 0, tooManyRequestsRate: 0, resetRate: 0 });
      // The redrive, as StartMessageMoveTask would do it: dead letters back onto the work queue.
      const deadLetters = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
      expect(deadLetters.length).toBeGreaterThanOrEqual(Object.values(plan.planned).reduce((a, b) => a + b, 0));
      await deps.queue.send(deadLetters.map((m) => ({ body: m.Body ?? '' })));
      await consumeAll(aws.config.WORK_QUEUE_URL);
      expect((await finalizeRun(new S3ObjectStore(aws.clients.s3, aws.config.REPORTS_BUCKET), second)).map((m) => m.status)).toEqual([
        'complete',
        'complete',
      ]);

      const expected = await reportFiles(clean.path);
      // The run's pages, and the attachments' files (outside any run: a file is copied once, whichever run reads it).
      const keys = (await bucket.list('')).filter((k) => !k.startsWith('_') && (k.includes(`run=${RUN}/`) || k.startsWith(ATTACHMENTS_PREFIX)));
      expect(keys).toEqual([...expected.keys()]);
      for (const key of keys) expect(await bucket.get(key), key).toBe(expected.get(key));
    } finally {
      await aws.close();
      await clean.remove();
    }
  });
});
