import {
  AppError, ConfigError, CreditsExhaustedError, InvalidMessageError, ReauthorizeError, ZohoRejectedError, describeError,
} from '../errors.js';

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
 * One policy for the local runner and the Lambda consumer:
 * - an invalid message goes straight to the dead-letter queue with its reason (retrying cannot fix it);
 * - a request Zoho rejects for good (422, 404, scope, org) likewise, so one bad page cannot block the run;
 * - credentials, configuration and spent credits stop the run: nothing else would succeed either;
 * - anything else is retried with backoff (or Zoho's Retry-After) until the receive count runs out.
 */
export function disposition(error: unknown, receiveCount: number, maxReceiveCount: number, timing: RetryTiming): Disposition {
  if (error instanceof InvalidMessageError) return { kind: 'dead-letter', reason: `invalid message: ${error.message}` };
  if (error instanceof ReauthorizeError || error instanceof CreditsExhaustedError || error instanceof ConfigError) {
    return { kind: 'stop', error };
  }
  if (error instanceof ZohoRejectedError) return { kind: 'dead-letter', reason: error.message };
  if (receiveCount >= maxReceiveCount) {
    return { kind: 'dead-letter', reason: `failed ${receiveCount} times; the last time: ${describeError(error)}` };
  }
  const retryAfterMs = error instanceof AppError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
  const backoff = Math.min(timing.capMs, timing.baseMs * 2 ** (receiveCount - 1));
  return { kind: 'retry', delayMs: Math.min(timing.capMs, Math.max(retryAfterMs, backoff)) };
}
