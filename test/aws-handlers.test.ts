import { REPORTS } from '../lib/reports/catalog.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { awsFixture, BUCKET, lambdaContext, sqsEvent, type AwsFixture } from './helpers/aws.js';
import { simulatorFixture, type Fixture } from './helpers/zoho.js';

// The real handler modules, configured only through the environment serverless.yml gives them (pointed at
// fauxqs, the Secrets Manager stand-in and the simulator): what runs in Lambda, minus the Lambda runtime.

let zoho: Fixture;
let aws: AwsFixture;
const saved = { ...process.env };

beforeAll(async () => {
  zoho = await simulatorFixture({ simulator: { tickets: 8 } });
  aws = await awsFixture(zoho);
  Object.assign(process.env, aws.lambdaEnv);
});

afterAll(async () => {
  process.env = saved;
  await aws.close();
  await zoho.close();
});

describe('the deployed handlers', () => {
  it('plan on a manual invocation, then fetch every planned page into the bucket', async () => {
    const { handler: scheduler } = await import('../handlers/scheduler.js');
    const { handler: consumer } = await import('../handlers/consumer.js');
    const plan = await scheduler({ reports: ['departments', 'agents'] });
    expect(plan).toMatchObject({ trigger: 'cli', planned: { departments: 1, agents: 1 } });

    const messages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
    expect(await consumer(sqsEvent(messages), lambdaContext())).toStrictEqual({ batchItemFailures: [] });
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    const keys = (await store.list('')).filter((k) => k.endsWith('.jsonl') && !k.startsWith('_'));
    expect(keys).toEqual([
      `agents/dt=${plan.runId.slice(0, 10)}/org=${zoho.running.sim.orgId}/run=${plan.runId}/page-00001.jsonl`,
      `departments/dt=${plan.runId.slice(0, 10)}/org=${zoho.running.sim.orgId}/run=${plan.runId}/page-00001.jsonl`,
    ]);

    // The next scheduled run first finalizes this one: manifests written, cursors moved.
    const next = await scheduler({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
    expect(next.finalized).toContain(plan.runId);
    expect(
      JSON.parse((await store.get(`agents/dt=${plan.runId.slice(0, 10)}/org=${zoho.running.sim.orgId}/run=${plan.runId}/_manifest.json`)) ?? '{}'),
    ).toMatchObject({
      status: 'complete',
      records: zoho.running.sim.portal.agents.length,
    });
    const record = JSON.parse((await store.get(`_runs/${next.runId}/run.json`)) ?? '{}') as { trigger: string; requests: unknown[] };
    expect(record).toMatchObject({ trigger: 'schedule' });
    // Every report but the opt-in ones (a scheduled run with no SCHEDULED_REPORTS).
    expect(record.requests).toHaveLength(REPORTS.filter((r) => !r.optIn).length);
  });
});
