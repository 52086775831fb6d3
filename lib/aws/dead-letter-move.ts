import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queueDepth, type DeployedStack } from './operator.js';

/** How long a message looked at stays hidden while the move goes on: longer than a move of a few thousand. */
const LOOK_SECONDS = 300;
/** How long each receive waits for messages (SQS long polling). */
const WAIT_SECONDS = 2;

/**
 * Dead-lettered messages back to their queues by hand, where SQS's message move task cannot: it moves all or
 * nothing to one queue, and a deployment with further portals has a queue per portal. Each message is sent to the
 * queue `destination` gives for its body, then deleted from the dead-letter queue (one sent twice by a move cut
 * short is stored once: its page's key is its own); those with no destination are made visible again at the end.
 * A message seen twice means the queue has come round: the move stops there.
 */
export async function moveDeadLetters(
  sqs: SQSClient,
  stack: Pick<DeployedStack, 'deadLetterQueueUrl'>,
  destination: (body: string) => string | undefined,
): Promise<{ moved: number; left: number; notSeen: number }> {
  const seen = new Set<string>();
  const others: string[] = [];
  let moved = 0;
  for (;;) {
    const batch = await sqs.send(
      // Waiting: an answer that does not wait may be empty while the queue still holds messages (SQS samples its servers).
      new ReceiveMessageCommand({
        QueueUrl: stack.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: LOOK_SECONDS,
        WaitTimeSeconds: WAIT_SECONDS,
      }),
    );
    const messages = (batch.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.MessageId as string);
      const queueUrl = destination(message.Body ?? '');
      if (!queueUrl) {
        others.push(message.ReceiptHandle as string);
        continue;
      }
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message.Body ?? '' }));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      moved += 1;
    }
  }
  for (const handle of others) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: stack.deadLetterQueueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));
  }
  // What the move did not get to see (in flight with someone else, or not yet answered): the caller says so.
  const after = await queueDepth(sqs, stack.deadLetterQueueUrl);
  return { moved, left: others.length, notSeen: Math.max(0, after.visible + after.inFlight - others.length) };
}
