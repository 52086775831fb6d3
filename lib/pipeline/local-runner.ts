import type { FolderQueue } from '../adapters/folder-queue.js';
import type { ReceivedMessage } from '../ports.js';
import { consume } from './consume.js';
import type { PipelineDeps } from './deps.js';
import type { RetryTiming } from './failure-policy.js';

export interface DrainOptions {
  /** messages handled at once: the portals' Zoho concurrency */
  concurrency: number;
  /**
   * Messages of one portal (queue group) handled at once: its own Zoho concurrency, so one portal's backlog
   * never takes another's turn (the queue takes each group in turn). None: the whole `concurrency` for any.
   */
  limitOf?: (group: string) => number;
  retry?: RetryTiming;
  /** stop taking messages once this many were handled (an interruption, for tests) */
  stopAfter?: number;
  /** stop taking messages when aborted (Ctrl+C); those in flight finish */
  signal?: AbortSignal;
  /** pages still being planned into the queue until this settles: an empty queue is not the end before then */
  planning?: Promise<unknown>;
}

export interface DrainResult {
  handled: number;
  deadLettered: number;
  /** reasons of the invalid messages dead-lettered (they have no receipt or manifest) */
  rejected: string[];
  /** why the run stopped early, when it did */
  stopped: Error | undefined;
  interrupted: boolean;
  /** runs whose pages were handled, to finalize */
  runIds: Set<string>;
}

const DEFAULT_RETRY: RetryTiming = { baseMs: 500, capMs: 10_000 };

/**
 * The consumer on this machine: takes messages from the local queue, at most `concurrency` at once, until
 * none is left (waiting for delayed retries), with the same retry and dead-letter rules as the Lambda.
 */
export async function drain(queue: FolderQueue, deps: PipelineDeps, options: DrainOptions): Promise<DrainResult> {
  const result: DrainResult = { handled: 0, deadLettered: 0, rejected: [], stopped: undefined, interrupted: false, runIds: new Set() };
  const timing = options.retry ?? DEFAULT_RETRY;
  const inFlight = new Set<Promise<void>>();
  const inHand = new Map<string, number>();
  const room = options.limitOf && ((group: string) => (options.limitOf as (g: string) => number)(group) - (inHand.get(group) ?? 0));
  const taking = () =>
    !result.stopped && !options.signal?.aborted && (options.stopAfter === undefined || result.handled + inFlight.size < options.stopAfter);

  const handle = async (message: ReceivedMessage): Promise<void> => {
    try {
      const settled = await consume(message, deps, timing);
      if (settled.kind === 'done') {
        result.runIds.add(settled.outcome.runId);
        await queue.delete(message.handle);
        return;
      }
      if (settled.runId) result.runIds.add(settled.runId);
      if (settled.kind === 'dead-lettered') {
        result.deadLettered += 1;
        if (settled.invalid) result.rejected.push(settled.reason);
      } else if (settled.kind === 'stop') {
        result.stopped ??= settled.error;
        await queue.release(message.handle, 0); // the next `run` takes it again at once
      }
    } catch (error) {
      // The queue or the folder itself failed (a full disk, say): stop, and say so.
      result.stopped ??= error as Error;
    } finally {
      result.handled += 1;
    }
  };

  // While pages are still being planned, an empty queue only means the next ones have not been sent yet.
  let planning = options.planning !== undefined;
  const planned = options.planning?.then(
    () => {
      planning = false;
    },
    () => {
      planning = false;
    },
  );
  const moreOrPlanned = () => Promise.race([queue.whenSent(), planned]);
  for (;;) {
    const free = options.concurrency - inFlight.size;
    if (free > 0 && taking()) {
      const batch = await queue.receive(Math.min(free, 10), room);
      for (const message of batch) {
        const group = message.group ?? '';
        inHand.set(group, (inHand.get(group) ?? 0) + 1);
        const task: Promise<void> = handle(message).finally(() => {
          inFlight.delete(task);
          inHand.set(group, (inHand.get(group) ?? 1) - 1);
        });
        inFlight.add(task);
      }
      if (batch.length > 0) continue;
    }
    if (inFlight.size > 0) {
      await Promise.race(planning && free > 0 && taking() ? [...inFlight, moreOrPlanned()] : inFlight);
      continue;
    }
    if (!taking()) break;
    const next = queue.nextVisibleAt();
    if (next === undefined) {
      if (!planning) break;
      await moreOrPlanned();
      continue;
    }
    // A delayed retry: wait for it (or, while planning, for new pages, looking again every so often).
    const wait = Math.max(1, next - deps.clock.now());
    await (planning ? Promise.race([moreOrPlanned(), deps.clock.sleep(Math.min(wait, 100))]) : deps.clock.sleep(wait));
  }
  result.interrupted = Boolean(options.signal?.aborted) || (options.stopAfter !== undefined && result.handled >= options.stopAfter);
  return result;
}
