import type { QueueMessage, ReceivedMessage, WorkQueue } from '../../ports.js';

/** The last part of a queue's URL or ARN: its name, the same in both. */
const queueName = (urlOrArn: string) => urlOrArn.split(/[/:]/).at(-1) ?? urlOrArn;

type UrlQueue = WorkQueue & { readonly url: string };

/** A queue's URL from its ARN (arn:<partition>:sqs:<region>:<account>:<name>), as SQS forms it. */
export function queueUrlOfArn(arn: string): string {
  const [, partition, , region, account, name] = arn.split(':');
  return `https://sqs.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}/${account}/${name}`;
}

/**
 * The work queue and each further portal's own (serverless.yml makes one per portal, read with that portal's
 * maximum concurrency). A message goes to its portal's queue (its group: the secretId it reads), else to the work
 * queue. Taking, releasing and dead-lettering act on the work queue: the consumer acts on the queue each record
 * came from, which `from` finds by the record's event source.
 */
export class PortalWorkQueues implements WorkQueue {
  constructor(
    private readonly work: UrlQueue,
    private readonly portals: ReadonlyMap<string, UrlQueue>,
    /** a queue by its URL: one a record came from that this deployment no longer lists */
    private readonly open: (url: string) => UrlQueue,
  ) {}

  async send(messages: QueueMessage[]): Promise<void> {
    const byQueue = new Map<WorkQueue, QueueMessage[]>();
    for (const message of messages) {
      const queue = (message.group !== undefined && this.portals.get(message.group)) || this.work;
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), message]);
    }
    await Promise.all([...byQueue].map(([queue, batch]) => queue.send(batch)));
  }

  /**
   * The queue a record came from, by its event source ARN — also one this deployment no longer lists (a portal
   * just removed: CloudFormation changes the Lambdas' environment before it deletes the queue's event source), so
   * a record is always released or deleted where its receipt handle is valid.
   */
  from(eventSourceArn: string | undefined): WorkQueue {
    if (!eventSourceArn) return this.work;
    const name = queueName(eventSourceArn);
    if (queueName(this.work.url) === name) return this.work;
    for (const queue of this.portals.values()) if (queueName(queue.url) === name) return queue;
    return this.open(queueUrlOfArn(eventSourceArn));
  }

  /** The portal's own queue, if it has one. */
  ofPortal(secretId: string | undefined): WorkQueue | undefined {
    return secretId === undefined ? undefined : this.portals.get(secretId);
  }

  receive(max: number): Promise<ReceivedMessage[]> {
    return this.work.receive(max);
  }

  delete(handle: string): Promise<void> {
    return this.work.delete(handle);
  }

  release(handle: string, delayMs: number): Promise<void> {
    return this.work.release(handle, delayMs);
  }

  deadLetter(message: Pick<ReceivedMessage, 'handle' | 'body' | 'id'>, reason: string): Promise<void> {
    return this.work.deadLetter(message, reason);
  }
}
