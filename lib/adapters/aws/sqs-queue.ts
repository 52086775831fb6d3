import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, RetryLaterError } from '../../errors.js';
import type { QueueMessage, ReceivedMessage, WorkQueue } from '../../ports.js';

const BATCH = 10; // SendMessageBatch's limit
const MAX_BYTES = 256 * 1024; // SQS's limit for one message, and for one batch
const MAX_VISIBILITY_SECONDS = 12 * 3600;

/**
 * The work queue on SQS, with its dead-letter queue. Batches of ten, resending only the entries SQS failed;
 * messages too big for SQS are refused before sending. A message dead-lettered here carries its reason as a
 * message attribute, so the operator sees why.
 */
export class SqsWorkQueue implements WorkQueue {
  constructor(
    private readonly sqs: SQSClient,
    /** the queue's URL */
    readonly url: string,
    private readonly deadLetterUrl: string,
    private readonly pause: (ms: number) => Promise<unknown> = delay,
  ) {}

  async send(messages: QueueMessage[]): Promise<void> {
    for (let start = 0; start < messages.length; ) {
      // Up to ten entries, and no more than 256 KiB together.
      const chunk: SendMessageBatchRequestEntry[] = [];
      let bytes = 0;
      while (start < messages.length && chunk.length < BATCH) {
        const body = (messages[start] as QueueMessage).body;
        const size = Buffer.byteLength(body, 'utf8');
        if (size > MAX_BYTES) throw new ConfigError(`A queue message of ${size} bytes is over SQS's 256 KiB limit.`);
        if (bytes + size > MAX_BYTES && chunk.length > 0) break;
        chunk.push({ Id: String(chunk.length), MessageBody: body });
        bytes += size;
        start += 1;
      }
      await this.sendBatch(chunk);
    }
  }

  private async sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 0; attempt < 5 && pending.length > 0; attempt += 1) {
      if (attempt > 0) await this.pause(100 * 2 ** attempt);
      const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.url, Entries: pending }));
      const failed = result.Failed ?? [];
      const permanent = failed.find((f) => f.SenderFault);
      if (permanent) throw new ConfigError(`SQS refused a message (${permanent.Code}: ${permanent.Message ?? 'no message'}).`);
      const retry = new Set(failed.map((f) => f.Id));
      pending = pending.filter((entry) => retry.has(entry.Id));
    }
    if (pending.length > 0) throw new RetryLaterError(`SQS did not take ${pending.length} message(s) after 5 attempts; try again.`);
  }

  async receive(max: number): Promise<ReceivedMessage[]> {
    const result = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.url,
        MaxNumberOfMessages: Math.max(1, Math.min(BATCH, max)),
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        WaitTimeSeconds: 0,
      }),
    );
    return (result.Messages ?? []).map((m) => ({
      id: m.MessageId ?? '',
      body: m.Body ?? '',
      handle: m.ReceiptHandle ?? '',
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
    }));
  }

  async delete(handle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: handle }));
  }

  async release(handle: string, delayMs: number): Promise<void> {
    const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(delayMs / 1000)));
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.url, ReceiptHandle: handle, VisibilityTimeout: seconds }));
  }

  async deadLetter(message: Pick<ReceivedMessage, 'handle' | 'body' | 'id'>, reason: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterUrl,
        MessageBody: message.body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason.slice(0, 4000) },
          sourceMessageId: { DataType: 'String', StringValue: message.id || 'unknown' },
        },
      }),
    );
    await this.delete(message.handle);
  }
}
