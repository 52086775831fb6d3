import type { QueueMessage, ReceivedMessage, WorkQueue } from '../../ports.js';

/** The last part of a queue's URL or ARN: its name, the same in both. */
const queueName = (urlOrArn: string) => urlOrArn.split(/[/:]/).at(-1) ?? urlOrArn;

/**
 * The work queue and each further portal's own (serverless.yml makes one per portal, read with that portal's
 * maximum concurrency). A message goes to its portal's queue (its group: the secretId it reads), else to the work
 * queue. Taking, releasing and dead-lettering act on the work queue: the consumer acts on the queue each record
 * came from, which `from` finds by the record's event source.
 */
export class PortalWorkQueues implements WorkQueue {
  constructor(
    private readonly work: WorkQueue & { readonly url: string },
    private readonly portals: ReadonlyMap<string, WorkQueue & { readonly url: string }>,
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
   * The queue a record came from, by its event source ARN; one this deployment does not know (an event source
   * added by hand) is acted on as the work queue.
   */
  from(eventSourceArn: string | undefined): WorkQueue {
    if (!eventSourceArn) return this.work;
    const name = queueName(eventSourceArn);
    for (const queue of this.portals.values()) if (queueName(queue.url) === name) return queue;
    return this.work;
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
