import pLimit from 'p-limit';
import type { DeskEndpoint } from '../zoho/endpoints.js';
import { depthReason } from './depth.js';
import type { PipelineDeps } from './deps.js';
import { queuedPage, tooLargeForQueue, type PageMessage } from './messages.js';
import { writePlannedBatch, writeReceipt } from './receipts.js';

/** A page that is not queued, and why: its report could not be planned, it lies past Zoho's depth, or it is too big. */
export interface SetAside {
  message: PageMessage;
  status: 'reject' | 'unavailable';
  cause: 'planning' | 'depth' | 'size' | 'remembered' | 'edition' | 'route';
  reason: string;
}

const SEND_BATCH = 10; // SQS SendMessageBatch's limit
/** Pages held before they are written and queued together: few enough that reading starts at once. */
const FLUSH_AT = 100;

/**
 * Where the planner puts pages as it finds them: each is queued (its planned receipt written first, one object
 * per batch, so a page is never in the queue without one and the manifest always counts it), or set aside with
 * its reason. Pages leave in
 * small batches while discovery goes on, so the first pages are read while later ones are still being found,
 * and nothing holds the whole plan.
 */
export class PlanSink {
  /** pages planned per report, queued or set aside */
  readonly planned: Record<string, number> = {};
  /** pages put on the queue */
  sent = 0;
  private pending: PageMessage[] = [];
  private readonly sends = pLimit(8);

  constructor(
    private readonly deps: PipelineDeps,
    private readonly endpointOf: (page: PageMessage) => DeskEndpoint,
    /** batches of the run written before (by earlier parts of its planning): numbering goes on after them */
    private batches = 0,
  ) {}

  /** A page to read: queued, unless it lies past Zoho's depth limit or is too big for the queue. */
  async add(page: PageMessage): Promise<void> {
    // Counted pages past Zoho's depth limit (a ticket with thousands of threads) are never requested.
    const target = this.endpointOf(page);
    if (page.from > target.fromMax) return this.setAside({ message: page, status: 'reject', cause: 'depth', reason: depthReason(page, target) });
    const tooLarge = tooLargeForQueue(page);
    if (tooLarge) return this.setAside({ message: page, status: 'reject', cause: 'size', reason: tooLarge });
    this.count(page.report);
    this.pending.push(page);
    if (this.pending.length >= FLUSH_AT) await this.flush();
  }

  /** A page recorded as never to be read (or its report as not plannable), with the reason. */
  async setAside({ message, status, reason, cause }: SetAside): Promise<void> {
    this.count(message.report);
    await writeReceipt(this.deps.store, message, status === 'unavailable' ? 'unavailable' : 'failed', {
      reason,
      ...(status === 'unavailable' && cause === 'planning' ? {} : { cause }),
    });
    this.deps.events?.({ type: 'planned', runId: message.runId, report: message.report, pages: 1 });
    this.deps.events?.({ type: 'dead-lettered', runId: message.runId, report: message.report, reason });
  }

  /** Writes the held pages' receipts (one object for the batch), then queues them. */
  async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    this.batches += 1;
    await writePlannedBatch(this.deps.store, (batch[0] as PageMessage).runId, this.batches, batch);
    const groups: PageMessage[][] = [];
    for (let i = 0; i < batch.length; i += SEND_BATCH) groups.push(batch.slice(i, i + SEND_BATCH));
    await Promise.all(groups.map((group) => this.sends(() => this.deps.queue.send(group.map(queuedPage)))));
    this.sent += batch.length;
    const byReport = new Map<string, { runId: string; pages: number }>();
    for (const page of batch) {
      const entry = byReport.get(page.report) ?? { runId: page.runId, pages: 0 };
      entry.pages += 1;
      byReport.set(page.report, entry);
    }
    for (const [report, { runId, pages }] of byReport) this.deps.events?.({ type: 'planned', runId, report, pages });
  }

  private count(report: string): void {
    this.planned[report] = (this.planned[report] ?? 0) + 1;
  }
}
