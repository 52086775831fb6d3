import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeployedStack } from './operator.js';

/** How long a message looked at stays hidden while the move goes on: longer than a move of a few thousand. */
const LOOK_SECONDS = 300;

/**
 * One portal's dead-lettered messages back to the work queue, by hand: SQS's message move task moves all or
 * nothing. Each message `pick`s is sent to the work queue, then deleted from the dead-letter queue (one sent twice
 * by a move cut short is stored once: its page's key is its own); the others are made visible again at the end.
 * A message seen twice means the queue has come round: the move stops there.
 */
export async function movePortalDeadLetters(
  sqs: SQSClient,
  stack: Pick<DeployedStack, 'deadLetterQueueUrl' | 'workQueueUrl'>,
  pick: (body: string) => boolean,
): Promise<{ moved: number; left: number }> {
  const seen = new Set<string>();
  const others: string[] = [];
  let moved = 0;
  for (;;) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: LOOK_SECONDS }),
    );
    const messages = (batch.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
    if (messages.length === 0) break;
    for (const message of messages) {
      seen.add(message.MessageId as string);
      if (!pick(message.Body ?? '')) {
        others.push(message.ReceiptHandle as string);
        continue;
      }
      await sqs.send(new SendMessageCommand({ QueueUrl: stack.workQueueUrl, MessageBody: message.Body ?? '' }));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      moved += 1;
    }
  }
  for (const handle of others) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: stack.deadLetterQueueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));
  }
  return { moved, left: others.length };
}
