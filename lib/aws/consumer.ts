import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import pLimit from 'p-limit';
import { consume } from '../pipeline/consume.js';
import { routingOfBody } from '../pipeline/messages.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import type { RetryTiming } from '../pipeline/failure-policy.js';
import { PortalWorkQueues } from '../adapters/aws/portal-work-queues.js';
import type { ReceivedMessage, WorkQueue } from '../ports.js';

export interface ConsumerOptions {
  /** records handled at once in one batch (the event source's maximum concurrency multiplies it) */
  concurrency: number;
  /** a record is not started with less than this much of the invocation left */
  reserveMs?: number;
  /** kept free at the end of the invocation for storing the page and answering SQS */
  finishMs?: number;
  retry?: RetryTiming;
  /** the queue the records come from (default: the one each record's event source names, else the work queue) */
  queue?: WorkQueue;
}

/** A queue retry waits at least this long; SQS counts in whole seconds. */
const LAMBDA_RETRY: RetryTiming = { baseMs: 30_000, capMs: 15 * 60_000 };

function received(record: SQSRecord): ReceivedMessage {
  return {
    id: record.messageId,
    body: record.body,
    handle: record.receiptHandle,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? 1),
  };
}

/**
 * The consumer Lambda: one page per record, settled in Records order for Middy's partial batch failure —
 * a record that throws is reported failed and comes back; the others are deleted. Dead-lettered records
 * (invalid, or failing for good) count as handled: they are already in the dead-letter queue.
 */
export function buildConsumer(deps: PipelineDeps, options: ConsumerOptions) {
  const limit = pLimit(options.concurrency);
  const reserveMs = options.reserveMs ?? 30_000;
  const finishMs = options.finishMs ?? 5_000;
  // A further portal's page comes from that portal's own queue: it is released or dead-lettered there.
  const queueOf = (record: SQSRecord): WorkQueue =>
    options.queue ?? (deps.queue instanceof PortalWorkQueues ? deps.queue.from(record.eventSourceARN) : deps.queue);
  const handleRecord = async (record: SQSRecord, context: Context | undefined): Promise<void> => {
    const message = received(record);
    const queue = queueOf(record);
    // A message of a portal with its own queue, received from another (an on-demand message pushed to the work
    // queue): moved to its portal's queue, so its calls too keep to that portal's concurrency.
    const home = !options.queue && deps.queue instanceof PortalWorkQueues ? deps.queue.ofPortal(routingOfBody(message.body).secretId) : undefined;
    if (home && home !== queue) {
      await home.send([{ body: message.body }]);
      deps.logger.info({ message: message.id }, "moved to its portal's own queue");
      return;
    }
    if (context && context.getRemainingTimeInMillis() < reserveMs) {
      await queue.release(message.handle, 0);
      throw new Error('not started: too little time left in this invocation');
    }
    const settled = await consume(message, deps, options.retry ?? LAMBDA_RETRY, queue);
    if (settled.kind === 'retry' || settled.kind === 'stop') throw settled.error;
  };
  const lambdaHandler = (event: SQSEvent, context: Context) => {
    // Every Zoho call must end before the invocation does, less the time to store its page and answer SQS.
    if (deps.invocation && context) deps.invocation.end = deps.clock.now() + context.getRemainingTimeInMillis() - finishMs;
    return Promise.allSettled(event.Records.map((record) => limit(() => handleRecord(record, context))));
  };
  return middy(lambdaHandler).use(
    sqsPartialBatchFailure({
      logger: (reason: unknown, record: SQSRecord) =>
        deps.logger.warn({ message: record.messageId, reason: (reason as Error)?.message ?? String(reason) }, 'record failed; it will come back'),
    }),
  );
}
