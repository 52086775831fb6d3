import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput, type SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { SqsWorkQueue } from '../lib/adapters/aws/sqs-queue.js';
import { ConfigError } from '../lib/errors.js';
import { awsFixture, BUCKET, type AwsFixture } from './helpers/aws.js';
import { fixtures } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

const open = fixtures();
let aws: AwsFixture | undefined;
afterEach(async () => {
  await aws?.close();
  aws = undefined;
});

/**
 * The real client against fauxqs, wrapped to see every SendMessageBatch and, the first time, to make SQS
 * refuse some entries — fauxqs never does, real SQS sometimes does. The refused entries are not sent.
 */
function flakySqs(real: SQSClient, failIds: string[]) {
  const batches: number[] = [];
  let failedOnce = false;
  const client = {
    send: async (command: unknown) => {
      if (!(command instanceof SendMessageBatchCommand)) return real.send(command as never);
      const entries = command.input.Entries ?? [];
      batches.push(entries.length);
      if (failedOnce) return real.send(command);
      failedOnce = true;
      const kept = entries.filter((e) => !failIds.includes(e.Id ?? ''));
      const result = (await real.send(new SendMessageBatchCommand({ ...command.input, Entries: kept }))) as SendMessageBatchCommandOutput;
      return { ...result, Failed: failIds.map((Id) => ({ Id, Code: 'InternalError', SenderFault: false })) };
    },
  } as unknown as SQSClient;
  return { client, batches };
}

describe('the SQS work queue adapter', () => {
  it('sends in batches of ten and resends only the entries SQS refused', async () => {
    aws = await awsFixture(await open());
    const { client, batches } = flakySqs(aws.clients.sqs, ['3', '7']);
    const queue = new SqsWorkQueue(client, aws.config.WORK_QUEUE_URL, aws.config.DEAD_LETTER_QUEUE_URL, async () => undefined);
    await queue.send(Array.from({ length: 25 }, (_, i) => ({ body: `message ${i}` })));
    expect(batches).toEqual([10, 2, 10, 5]);
    const bodies = (await aws.drainQueue(aws.config.WORK_QUEUE_URL)).map((m) => m.Body).sort();
    expect(bodies).toEqual(Array.from({ length: 25 }, (_, i) => `message ${i}`).sort());
  });

  it('keeps every request under 256 KiB and refuses a single message over it', async () => {
    aws = await awsFixture(await open());
    const { client, batches } = flakySqs(aws.clients.sqs, []);
    const queue = new SqsWorkQueue(client, aws.config.WORK_QUEUE_URL, aws.config.DEAD_LETTER_QUEUE_URL);
    await queue.send(Array.from({ length: 10 }, (_, i) => ({ body: `${i}`.padEnd(60_000, 'x') })));
    expect(batches).toEqual([4, 4, 2]);
    const tooBig = await rejection(queue.send([{ body: 'x'.repeat(300_000) }]));
    expect(tooBig).toBeInstanceOf(ConfigError);
    expect(tooBig.message).toBe("A queue message of 300000 bytes is over SQS's 256 KiB limit.");
  });

  it('dead-letters a message with its reason as an attribute and takes it off the work queue', async () => {
    aws = await awsFixture(await open());
    const queue = new SqsWorkQueue(aws.clients.sqs, aws.config.WORK_QUEUE_URL, aws.config.DEAD_LETTER_QUEUE_URL);
    await queue.send([{ body: 'poison' }]);
    const [received] = await queue.receive(10);
    expect(received).toMatchObject({ body: 'poison', receiveCount: 1 });
    await queue.deadLetter(received!, 'invalid message: the message is not JSON');
    expect(await aws.drainQueue(aws.config.WORK_QUEUE_URL)).toEqual([]);
    const [dead] = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
    expect(dead?.MessageAttributes?.reason?.StringValue).toBe('invalid message: the message is not JSON');
    expect(dead?.MessageAttributes?.sourceMessageId?.StringValue).toBe(received?.id);
  });
});

describe('the S3 bucket adapter', () => {
  it('writes whole objects with their content type under the given keys, and lists folders', async () => {
    aws = await awsFixture(await open());
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    await store.put('tickets/dt=2026-11-20/run=r/page-00001.jsonl', '{"id":"1"}\n', 'application/x-ndjson');
    await store.put('tickets/dt=2026-11-20/run=r/page-00001.jsonl', '{"id":"1"}\n{"id":"2"}\n', 'application/x-ndjson');
    await store.put('_runs/r/run.json', '{}', 'application/json');
    const object = await aws.clients.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tickets/dt=2026-11-20/run=r/page-00001.jsonl' }));
    expect(object.ContentType).toBe('application/x-ndjson');
    expect(await object.Body?.transformToString()).toBe('{"id":"1"}\n{"id":"2"}\n');
    expect(await store.list('tickets/')).toEqual(['tickets/dt=2026-11-20/run=r/page-00001.jsonl']);
    expect(await store.folders('')).toEqual(['_runs', 'tickets']);
    expect(await store.get('missing.json')).toBeUndefined();
    expect(await rejection(store.put('../escape', 'x', 'text/plain'))).toBeInstanceOf(ConfigError);
  });

  it('deletes objects a thousand at a time, a missing key being no error', async () => {
    aws = await awsFixture(await open());
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    const keys = Array.from({ length: 1_005 }, (_, i) => `_runs/r/pages/threads/ticket=${i}/page-00001.json`);
    await Promise.all(keys.map((key) => store.put(key, '{}', 'application/json')));
    await store.put('_runs/r/receipts.jsonl', '{}\n', 'application/x-ndjson');
    await store.delete([...keys, '_runs/r/pages/never-there.json']);
    expect(await store.list('_runs/')).toEqual(['_runs/r/receipts.jsonl']);
  });

  it('stores an empty page as an empty object without the SDK warning of a stream of unknown length', async () => {
    aws = await awsFixture(await open());
    const store = new S3ObjectStore(aws.clients.s3, BUCKET);
    // A spy, not a mock: the SDK's default logger writes its warnings with console.warn, and still does here.
    const warn = vi.spyOn(console, 'warn');
    try {
      await store.put('threads/dt=2026-11-20/run=r/ticket=1/page-00001.jsonl', '', 'application/x-ndjson');
      await store.put('tickets/dt=2026-11-20/run=r/page-00001.jsonl', '{"id":"1","subject":"Grüße"}\n', 'application/x-ndjson');
      expect(warn.mock.calls.map((args) => args.map(String).join(' '))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
    expect(await store.get('threads/dt=2026-11-20/run=r/ticket=1/page-00001.jsonl')).toBe('');
    expect(await store.get('tickets/dt=2026-11-20/run=r/page-00001.jsonl')).toBe('{"id":"1","subject":"Grüße"}\n');
  });
});
