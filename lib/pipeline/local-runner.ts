import type { FolderQueue } from '../adapters/folder-queue.js';
import { describeError, InvalidMessageError } from '../errors.js';
import type { ReceivedMessage } from '../ports.js';
import type { PipelineDeps } from './deps.js';
import { disposition, type RetryTiming } from './failure-policy.js';
import { handleMessage, recordDeadLetter } from './page-worker.js';

export interface DrainOptions {
  /** messages handled at once: the portal's Zoho concurrency */
  concurrency: number;
  retry?: RetryTiming;
  /** stop taking messages once this many were handled (an interruption, for tests) */
  stopAfter?: number;
  /** stop taking messages when aborted (Ctrl+C); those in flight finish */
  signal?: AbortSignal;
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

/** The run and report a message names, read leniently (it may be the invalid message being dead-lettered). */
function labelsOf(body: string): { runId: string | undefined; report: string | undefined } {
  try {
    const { runId, report, route } = JSON.parse(body) as Record<string, unknown>;
    return {
      runId: typeof runId === 'string' ? runId : undefined,
      report: typeof report === 'string' ? report : route !== undefined ? 'route' : undefined,
    };
  } catch {
    return { runId: undefined, report: undefined };
  }
}

/**
 * The consumer on this machine: takes messages from the local queue, at most `concurrency` at once, until
 * none is left (waiting for delayed retries), with the same retry and dead-letter rules as the Lambda.
 */
export async function drain(queue: FolderQueue, deps: PipelineDeps, options: DrainOptions): Promise<DrainResult> {
  const result: DrainResult = { handled: 0, deadLettered: 0, rejected: [], stopped: undefined, interrupted: false, runIds: new Set() };
  const timing = options.retry ?? DEFAULT_RETRY;
  const inFlight = new Set<Promise<void>>();
  const taking = () =>
    !result.stopped && !options.signal?.aborted && (options.stopAfter === undefined || result.handled + inFlight.size < options.stopAfter);

  const handle = async (message: ReceivedMessage): Promise<void> => {
    try {
      await settle(message);
    } catch (error) {
      // The queue or the folder itself failed (a full disk, say): stop, and say so.
      result.stopped ??= error as Error;
    } finally {
      result.handled += 1;
    }
  };

  const settle = async (message: ReceivedMessage): Promise<void> => {
    try {
      const outcome = await handleMessage(message.body, deps);
      result.runIds.add(outcome.runId);
      await queue.delete(message.handle);
    } catch (error) {
      const { runId, report } = labelsOf(message.body);
      if (runId) result.runIds.add(runId);
      const next = disposition(error, message.receiveCount, deps.maxReceiveCount, timing);
      if (next.kind === 'stop') {
        result.stopped ??= next.error;
        await queue.release(message.handle, 0);
      } else if (next.kind === 'dead-letter') {
        result.deadLettered += 1;
        if (error instanceof InvalidMessageError) result.rejected.push(next.reason);
        deps.logger.warn({ message: message.id, reason: next.reason }, 'message dead-lettered');
        await recordDeadLetter(message.body, next.reason, deps);
        deps.events?.({ type: 'dead-lettered', runId, report, reason: next.reason });
        await queue.deadLetter(message.handle, next.reason);
      } else {
        deps.events?.({ type: 'retry', report, reason: describeError(error), delayMs: next.delayMs });
        await queue.release(message.handle, next.delayMs);
      }
    }
  };

  for (;;) {
    const free = options.concurrency - inFlight.size;
    if (free > 0 && taking()) {
      const batch = await queue.receive(Math.min(free, 10));
      for (const message of batch) {
        const task: Promise<void> = handle(message).finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
      if (batch.length > 0) continue;
    }
    if (inFlight.size > 0) {
      await Promise.race(inFlight);
      continue;
    }
    if (!taking()) break;
    const next = queue.nextVisibleAt();
    if (next === undefined) break;
    await deps.clock.sleep(Math.max(1, next - deps.clock.now()));
  }
  result.interrupted = Boolean(options.signal?.aborted) || (options.stopAfter !== undefined && result.handled >= options.stopAfter);
  return result;
}
