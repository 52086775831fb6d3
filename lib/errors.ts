/**
 * The error family. Each class says what the caller must do, in `action`:
 *
 * - `retry`        try again later (5xx, network, timeouts, TOO_MANY_REQUESTS, token endpoint throttling)
 * - `stop-for-day` the portal's daily API credits are spent (or the configured reserve is reached)
 * - `reauthorize`  the refresh token or grant code is unusable: a person must generate a new grant code
 * - `fix`          a configuration or secret problem that retrying cannot cure: nothing else would succeed either
 * - `reject`       this one message or page can never succeed as written (a bad parameter, a page Zoho refuses):
 *                  set it aside with its reason, and go on with the others
 * - `unavailable`  the report does not exist on this Zoho edition: record it, do not retry
 *
 * Messages never contain secrets or tokens: they name fields and files, never their values.
 */
export type ErrorAction = 'retry' | 'stop-for-day' | 'reauthorize' | 'fix' | 'reject' | 'unavailable';

export interface ZohoErrorContext {
  /** e.g. "GET /tickets" — a route template, never a URL with query values */
  request?: string;
  status?: number;
  /** Zoho's `errorCode` (Desk) or `error` (Accounts) */
  errorCode?: string;
  /** Zoho's Retry-After, or how long a known window still runs */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export abstract class AppError extends Error {
  abstract readonly action: ErrorAction;
  readonly request: string | undefined;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  /** no sooner than this, when known (retry and stop-for-day errors) */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, context: ZohoErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.request = context.request;
    this.status = context.status;
    this.errorCode = context.errorCode;
    this.retryAfterSeconds = context.retryAfterSeconds;
  }
}

/** Bad configuration, secret content or command-line input: the message says what to change. */
export class ConfigError extends AppError {
  readonly action = 'fix' as const;
}

/**
 * A queue message or report request that can never succeed as written; the reason names the field. Not
 * retried: it goes to the dead-letter queue with this reason, where the operator sees it.
 */
export class InvalidMessageError extends AppError {
  readonly action = 'reject' as const;
}

/**
 * Zoho refused (or would refuse) this request for a reason retrying cannot cure: a 422 or 404, a missing scope
 * for this endpoint, an answer that breaks Zoho's own contract. Other requests may still succeed.
 */
export class ZohoRejectedError extends AppError {
  readonly action = 'reject' as const;
}

/** The grant code or refresh token cannot be used: generate a new grant code and run `auth init`. */
export class ReauthorizeError extends AppError {
  readonly action = 'reauthorize' as const;
}

/** Transient: try again later, no sooner than `retryAfterSeconds` when Zoho said so. */
export class RetryLaterError extends AppError {
  readonly action = 'retry' as const;
}

/** The daily credit pool is spent (THRESHOLD_EXCEEDED) or the reserve reached: stop until the reset. */
export class CreditsExhaustedError extends AppError {
  readonly action = 'stop-for-day' as const;
}

/** LICENSE_ACCESS_LIMITED (or an unconfirmed endpoint this portal does not serve): record as unavailable. */
export class ReportUnavailableError extends AppError {
  readonly action = 'unavailable' as const;
  readonly feature: string | undefined;
  readonly editionType: string | undefined;
  /** Zoho said the portal's edition lacks it (LICENSE_ACCESS_LIMITED), rather than an unknown route being refused */
  readonly licence: boolean;

  constructor(message: string, context: ZohoErrorContext & { feature?: string; editionType?: string; licence?: boolean } = {}) {
    super(message, context);
    this.feature = context.feature;
    this.editionType = context.editionType;
    this.licence = context.licence === true;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** One line for a person: the message, and for unknown errors their own text. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
