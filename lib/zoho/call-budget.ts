import { RetryLaterError } from '../errors.js';

/**
 * How long Zoho calls may still take: the rest of a Lambda invocation, or forever on one machine. Every call
 * (Desk and Accounts) asks it first, so none is started that could not finish before the invocation ends.
 */
export interface CallBudget {
  /** milliseconds left; Infinity when there is no limit */
  remainingMs(): number;
}

export const UNLIMITED: CallBudget = { remainingMs: () => Number.POSITIVE_INFINITY };

/** a call is not started with less time than this left */
export const MIN_CALL_MS = 1_000;

/** The timeout of a call starting now: its own, or the time left if that is shorter; too little left, none. */
export function callTimeout(budget: CallBudget, timeoutMs: number, request: string): number {
  const left = budget.remainingMs();
  if (left < MIN_CALL_MS) {
    throw new RetryLaterError(`${request} was not started: ${Math.max(0, Math.round(left))} ms were left, too little to finish a call.`, { request });
  }
  return Math.floor(Math.min(timeoutMs, left));
}
