import { CreditsExhaustedError, InvalidMessageError } from '../errors.js';
import type { ReceivedMessage, WorkQueue } from '../ports.js';
import type { PipelineDeps } from './deps.js';
import { disposition, type RetryTiming } from './failure-policy.js';
import { RUN_ID } from './keys.js';
import { handleMessage, recordDeadLetter, type Outcome } from './page-worker.js';
import { ROUTE_TARGET } from '../reports/sources.js';

export type Settlement =
  /** handled: the caller deletes it (the local queue) or reports success (Lambda) */
  | { kind: 'done'; outcome: Outcome }
  /** moved to the dead-letter queue with its reason */
  | { kind: 'dead-lettered'; reason: string; invalid: boolean; runId: string | undefined }
  /** back on the queue after `delayMs`: the caller reports a failure */
  | { kind: 'retry'; delayMs: number; error: unknown; runId: string | undefined }
  /** back on the queue; nothing else will succeed either until a person acts */
  | { kind: 'stop'; error: Error; runId: string | undefined };

/** How long a stopped message stays out of sight: credits reset at midnight; a person fixes credentials. */
const STOP_DELAY_MS = 15 * 60_000;
const MAX_VISIBILITY_MS = 12 * 3_600_000; // SQS's ceiling

/** The run and report a message names, read leniently (it may be the invalid message being dead-lettered). */
export function labelsOf(body: string): { runId: string | undefined; report: string | undefined } {
  try {
    const { runId, report, route } = JSON.parse(body) as Record<string, unknown>;
    return {
      // Only a well-formed run id: an invalid message's runId must never reach a key.
      runId: typeof runId === 'string' && RUN_ID.test(runId) ? runId : undefined,
      report: typeof report === 'string' ? report : route !== undefined ? ROUTE_TARGET : undefined,
    };
  } catch {
    return { runId: undefined, report: undefined };
  }
}

/**
 * One received message, start to end, the same on this machine and in the Lambdas: handle it, and when that
 * fails, dead-letter it (with the reason, and its page's receipt) or put it back for later. `queue`: the queue
 * it was received from (the work queue, or the scheduler's plan queue).
 */
export async function consume(message: ReceivedMessage, deps: PipelineDeps, timing: RetryTiming, queue: WorkQueue = deps.queue): Promise<Settlement> {
  try {
    return { kind: 'done', outcome: await handleMessage(message.body, deps) };
  } catch (error) {
    const { runId, report } = labelsOf(message.body);
    const next = disposition(error, message.receiveCount, deps.maxReceiveCount, timing);
    if (next.kind === 'dead-letter') {
      deps.logger.warn({ message: message.id, runId, report, reason: next.reason }, 'message dead-lettered');
      await recordDeadLetter(message.body, next.reason, deps);
      deps.events?.({ type: 'dead-lettered', runId, report, reason: next.reason });
      await queue.deadLetter(message, next.reason);
      return { kind: 'dead-lettered', reason: next.reason, invalid: error instanceof InvalidMessageError, runId };
    }
    if (next.kind === 'stop') {
      deps.logger.error({ message: message.id, runId, report, error: next.error.message }, 'stopping: nothing else can succeed');
      const wait = next.error instanceof CreditsExhaustedError && next.error.retryAfterSeconds ? next.error.retryAfterSeconds * 1000 : STOP_DELAY_MS;
      await queue.release(message.handle, Math.min(wait, MAX_VISIBILITY_MS));
      return { kind: 'stop', error: next.error, runId };
    }
    deps.logger.info({ message: message.id, runId, report, delayMs: next.delayMs, error: (error as Error).message }, 'retrying later');
    deps.events?.({ type: 'retry', report, reason: (error as Error).message, delayMs: next.delayMs });
    await queue.release(message.handle, next.delayMs);
    return { kind: 'retry', delayMs: next.delayMs, error, runId };
  }
}
