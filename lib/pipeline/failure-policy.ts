import { AppError, InvalidMessageError, describeError, isAppError } from '../errors.js';

/** What to do with a message whose handling failed. */
export type Disposition =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead-letter'; reason: string }
  /** every other message would fail the same way: stop taking messages and leave them queued */
  | { kind: 'stop'; error: AppError };

export interface RetryTiming {
  /** first retry delay; doubles per receive */
  baseMs: number;
  capMs: number;
}

/**
 * One policy for the local runner and the Lambda consumer, decided by the error's action alone:
 * - `reject`: this message or page can never succeed as written: straight to the dead-letter queue with its
 *   reason, so one bad page cannot block the run;
 * - `fix`, `reauthorize`, `stop-for-day`: configuration, credentials or spent credits: nothing else would
 *   succeed either, so the run stops with its pages still queued;
 * - `retry` (and anything unexpected): again with backoff (or Zoho's Retry-After) until the receive count
 *   runs out; `unavailable` is set aside like `reject` (the page worker records unavailable pages itself).
 */
export function disposition(error: unknown, receiveCount: number, maxReceiveCount: number, timing: RetryTiming): Disposition {
  const action = isAppError(error) ? error.action : 'retry';
  switch (action) {
    case 'reject':
      return {
        kind: 'dead-letter',
        reason: error instanceof InvalidMessageError ? `invalid message: ${describeError(error)}` : describeError(error),
      };
    case 'unavailable':
      // The page worker records an unavailable page itself; one that gets here (planning an on-demand report)
      // will not become available by trying again.
      return { kind: 'dead-letter', reason: describeError(error) };
    case 'fix':
    case 'reauthorize':
    case 'stop-for-day':
      return { kind: 'stop', error: error as AppError };
    case 'retry':
      break;
  }
  if (receiveCount >= maxReceiveCount) {
    return { kind: 'dead-letter', reason: `failed ${receiveCount} times; the last time: ${describeError(error)}` };
  }
  const retryAfterMs = error instanceof AppError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
  const backoff = Math.min(timing.capMs, timing.baseMs * 2 ** (receiveCount - 1));
  return { kind: 'retry', delayMs: Math.min(timing.capMs, Math.max(retryAfterMs, backoff)) };
}
