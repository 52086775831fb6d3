import pRetry from 'p-retry';
import { AppError, ConfigError, RetryLaterError, ZohoRejectedError } from '../errors.js';
import { ResponseTooLargeError, type Clock, type HttpClient, type HttpResponse, type Logger } from '../ports.js';
import { silentLogger } from '../ports.js';
import { callTimeout, MIN_CALL_MS, UNLIMITED, type CallBudget } from './call-budget.js';
import { CreditMeter } from './credits.js';
import type { ZohoLocation } from './data-centres.js';
import { deskError, isTokenRejected, type DeskErrorBody } from './desk-errors.js';
import { pageRecords, readDeskBody } from './desk-response.js';
import { deskUrl, type FileMode, underDeskApi } from './desk-url.js';
import { describeEndpoint, endpoint, type DeskEndpoint, type EndpointKey } from './endpoints.js';
import { Pace, type PacedCall } from './pace.js';
import type { AccessTokenSource } from './token-provider.js';

export type DeskRecord = Record<string, unknown>;

export interface PageRequest {
  /** values for the {placeholders} of the endpoint's path: Zoho ids, as strings */
  path?: Record<string, string>;
  /** query parameters; only those the endpoint declares are accepted, undefined values are left out */
  query?: Record<string, string | undefined>;
  /** defaults to the endpoint's first record (0 or 1) */
  from?: number;
  /** defaults to the endpoint's largest page */
  limit?: number;
}

export interface DeskPage {
  records: DeskRecord[];
  from: number;
  limit: number;
  /** nothing follows: HTTP 204, a short page, or an endpoint without pages */
  last: boolean;
  /** total matches, where Zoho gives one (/tickets/search) */
  count: number | undefined;
  status: number;
  /** credits this call cost (X-Rate-Limit-Request-Weight-v3), 0 when Zoho did not say */
  weight: number;
}

/** In-process retries of transient failures, before the error goes to the caller (and the queue). */
export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, minDelayMs: 200, maxDelayMs: 2_000 };

export interface DeskClientOptions {
  http: HttpClient;
  tokens: AccessTokenSource;
  location: ZohoLocation;
  /** required by every endpoint but /organizations */
  orgId: string | undefined;
  clock: Clock;
  credits?: CreditMeter;
  /** the calls-in-flight bound, when shared with another client (withOwnTally) */
  pace?: Pace;
  /** upper bound on calls in flight from this client */
  maxConcurrency?: number;
  timeoutMs?: number;
  /** the largest answer read (default 32 MiB); a larger one is refused without being read whole */
  maxResponseBytes?: number;
  /** the largest attachment file copied (ZOHO_ATTACHMENT_MAX_MB; 0: none) */
  maxAttachmentBytes?: number;
  /** the time calls may still take (a Lambda invocation's end); unlimited by default */
  budget?: CallBudget;
  retry?: RetryPolicy;
  logger?: Logger;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** A call's answer: its body (JSON, or a file's bytes), what it cost, and a file's content type. */
interface Answer {
  status: number;
  body: unknown;
  weight: number;
  contentType?: string;
}

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MB`;

/**
 * The Zoho Desk REST client: one call per page, the right headers, only declared parameters, and every
 * failure typed by what the caller must do. A transient failure (5xx, network, timeout, TOO_MANY_REQUESTS)
 * is retried a couple of times with backoff when the wait is short; longer waits (Retry-After, the token
 * mint window) go back to the caller. An INVALID_OAUTH gets one token refresh.
 */
export class DeskClient {
  readonly credits: CreditMeter;
  /** calls in flight, lowered while Zoho answers TOO_MANY_REQUESTS */
  readonly pace: Pace;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly retry: RetryPolicy;
  /** Zoho's clock (an answer's Date header) and ours when it came: how far apart the two clocks are */
  private clockReading: { serverMs: number; localMs: number } | undefined;

  constructor(private readonly options: DeskClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.credits = options.credits ?? new CreditMeter();
    this.pace = options.pace ?? new Pace(options.maxConcurrency ?? Number.POSITIVE_INFINITY);
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  /** The largest attachment file to copy (0: copy none). */
  get maxAttachmentBytes(): number {
    return this.options.maxAttachmentBytes ?? 0;
  }

  get orgId(): string | undefined {
    return this.options.orgId;
  }

  /** The last Date header Zoho sent, with this machine's time when it came; undefined before any answer. */
  get serverClock(): { serverMs: number; localMs: number } | undefined {
    return this.clockReading;
  }

  /**
   * This client — the same calls in flight, tokens and credit pool — counting what its own calls cost apart:
   * a run's discovery, while pages are read beside it on the same connection.
   */
  withOwnTally(): DeskClient {
    return new DeskClient({ ...this.options, credits: this.credits.child(), pace: this.pace });
  }

  /** Changes the bound on calls in flight, e.g. once the portal's edition is known. */
  setMaxConcurrency(calls: number): void {
    this.pace.setCeiling(calls);
  }

  /** Fetches exactly one page (or the whole answer of an endpoint without pages). */
  async page(key: EndpointKey | DeskEndpoint, request: PageRequest = {}): Promise<DeskPage> {
    const target = typeof key === 'string' ? endpoint(key) : key;
    const from = target.paginated ? (request.from ?? target.fromBase) : 0;
    const limit = target.paginated ? (request.limit ?? target.maxLimit) : 0;
    const url = deskUrl(this.options.location.deskApiUrl, target, request, from, limit);
    const { status, body, weight } = await this.send(target, url);
    if (status === 204 || body === undefined) return { records: [], from, limit, last: true, count: 0, status, weight };
    const records = pageRecords(target, body as Record<string, unknown>, limit, status);
    const count = (body as Record<string, unknown>).count;
    return {
      records,
      from,
      limit,
      last: !target.paginated || records.length < limit,
      count: typeof count === 'number' ? count : typeof count === 'string' && count !== '' ? Number(count) : undefined,
      status,
      weight,
    };
  }

  /**
   * Every page from `request.from` to the end, advancing `from` by what each page held. Ids already seen
   * in this walk are dropped, so an endpoint whose first record is not where we think it is costs at most a
   * repeated record per page, never a skipped one. A full page with nothing new (a server ignoring `from`)
   * ends the walk with an error rather than paging forever, and so does Zoho's depth limit.
   */
  async *pages(key: EndpointKey | DeskEndpoint, request: PageRequest = {}): AsyncGenerator<DeskPage> {
    const target = typeof key === 'string' ? endpoint(key) : key;
    const name = describeEndpoint(target);
    const seen = new Set<string>();
    let from = request.from ?? target.fromBase;
    let total = 0;
    for (;;) {
      const page = await this.page(key, { ...request, from });
      const fresh = page.records.filter((record) => {
        const id = record.id;
        if (typeof id !== 'string') return true;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      total += fresh.length;
      yield { ...page, records: fresh };
      if (page.last) {
        if (page.count !== undefined && page.count > total && request.from === undefined) {
          this.logger.warn({ request: name, count: page.count, received: total }, 'Zoho counted more records than it returned');
        }
        return;
      }
      if (fresh.length === 0) {
        throw new ZohoRejectedError(
          `${name} answered the page from ${from} with only records it had already sent: it ignores \`from\`, so reading stops here.`,
          { request: name },
        );
      }
      from += page.records.length;
      if (from > target.fromMax) {
        throw new ZohoRejectedError(
          `${name} cannot be read past record ${from - target.fromBase}: Zoho Desk's \`from\` stops at ${target.fromMax}.`,
          { request: name },
        );
      }
    }
  }

  /** All records of an endpoint, every page. */
  async all(key: EndpointKey | DeskEndpoint, request: PageRequest = {}): Promise<DeskRecord[]> {
    const records: DeskRecord[] = [];
    for await (const page of this.pages(key, request)) records.push(...page.records);
    return records;
  }

  /** One record, the whole answer of an endpoint that gives a single object (a thread in full); 204 gives none. */
  async record(key: EndpointKey | DeskEndpoint, request: PageRequest = {}): Promise<{ record: DeskRecord | undefined; weight: number }> {
    const target = typeof key === 'string' ? endpoint(key) : key;
    const { status, body, weight } = await this.send(target, deskUrl(this.options.location.deskApiUrl, target, request, 0, 0));
    if (status === 204 || body === undefined) return { record: undefined, weight };
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      const request = describeEndpoint(target);
      throw new ZohoRejectedError(`${request} answered ${Array.isArray(body) ? 'a list' : typeof body}, not the record as a JSON object.`, {
        request,
        status,
      });
    }
    return { record: body as DeskRecord, weight };
  }

  /** A count endpoint's number (/ticketsCount). */
  async count(key: EndpointKey, request: PageRequest = {}): Promise<number> {
    const target = endpoint(key);
    const { status, body } = await this.send(target, deskUrl(this.options.location.deskApiUrl, target, request, 0, 0));
    if (status === 204) return 0;
    // No number, no count: taking it as 0 would plan nothing and let a cursor pass unread changes.
    const raw = (body as Record<string, unknown> | undefined)?.count;
    const count = typeof raw === 'number' || (typeof raw === 'string' && /^\d+$/.test(raw)) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(count)) {
      throw new ZohoRejectedError(`${describeEndpoint(target)} answered without a numeric "count".`, {
        request: describeEndpoint(target),
      });
    }
    return count;
  }

  /**
   * A file Zoho links to (an attachment's `href`), as bytes with its content type. Only a link under this portal's
   * Desk API is followed, with the token; a larger file than `maxBytes` is refused without being read whole.
   */
  async download(target: DeskEndpoint, href: string, maxBytes: number): Promise<{ bytes: Uint8Array; contentType: string; weight: number }> {
    const url = underDeskApi(href, this.options.location.deskApiUrl);
    if (!url) {
      throw new ZohoRejectedError(
        `${describeEndpoint(target)}: the link is not under this portal's Desk API (${this.options.location.deskApiUrl}), so it is not followed with the token.`,
        { request: describeEndpoint(target) },
      );
    }
    const answer = await this.send(target, url, { binary: true, maxBytes, limit: 'ZOHO_ATTACHMENT_MAX_MB' });
    return { bytes: answer.body as Uint8Array, contentType: answer.contentType ?? 'application/octet-stream', weight: answer.weight };
  }

  private async send(target: DeskEndpoint, url: string, mode?: FileMode): Promise<Answer> {
    const name = describeEndpoint(target);
    if (target.needsOrgId && !this.options.orgId) {
      throw new ConfigError(
        `${name} needs the portal's org_id: add "org_id" to the secret (Zoho Desk → Setup → Developer Space → API), ` +
          'or run `zoho-desk-reports auth init` to discover it.',
      );
    }
    this.credits.assertCanSpend(name);
    const { retries, minDelayMs, maxDelayMs } = this.retry;
    const budget = this.options.budget ?? UNLIMITED;
    const shortWait = (error: unknown) =>
      error instanceof RetryLaterError && (error.retryAfterSeconds === undefined || error.retryAfterSeconds * 1000 <= maxDelayMs);
    // Each try takes a slot of the pace and gives it back when answered: a call waiting to try again holds none.
    return pRetry(() => this.pace.run((call) => this.paced(call, target, url, mode)), {
      retries,
      minTimeout: minDelayMs,
      maxTimeout: maxDelayMs,
      randomize: true,
      // Another try only when it can still finish before the deadline.
      shouldRetry: ({ error }) => shortWait(error) && budget.remainingMs() >= MIN_CALL_MS + maxDelayMs,
      onFailedAttempt: async ({ error, retriesLeft }) => {
        const wait = error instanceof AppError ? error.retryAfterSeconds : undefined;
        if (retriesLeft > 0 && shortWait(error) && wait) await this.options.clock.sleep(wait * 1000);
      },
    });
  }

  /** One try, telling the pace how it went: through, or turned away as one call too many. */
  private async paced(call: PacedCall, target: DeskEndpoint, url: string, mode: FileMode | undefined): Promise<Answer> {
    try {
      const answer = await this.attempt(target, url, mode);
      this.pace.succeeded(call);
      return answer;
    } catch (error) {
      if (error instanceof RetryLaterError && error.errorCode === 'TOO_MANY_REQUESTS') this.pace.slowDown(call);
      throw error;
    }
  }

  private async attempt(target: DeskEndpoint, url: string, mode: FileMode | undefined): Promise<Answer> {
    const name = describeEndpoint(target);
    // A file's bytes are the answer; anything else (an error) is read as Zoho's JSON, as every answer is.
    const read = (answer: HttpResponse) =>
      mode && answer.status >= 200 && answer.status < 300
        ? answer.bytes
        : readDeskBody(target, answer.bytes ? { ...answer, body: Buffer.from(answer.bytes).toString('utf8') } : answer, this.options.location);
    let token = await this.options.tokens.accessToken();
    let response = await this.exchange(target, url, token, mode);
    let body = read(response);
    if (isTokenRejected(response.status, body as DeskErrorBody)) {
      // Expired or revoked token: refresh once (shared with every other caller), then give up.
      this.options.tokens.invalidate(token);
      token = await this.options.tokens.accessToken();
      response = await this.exchange(target, url, token, mode);
      body = read(response);
      if (isTokenRejected(response.status, body as DeskErrorBody)) {
        throw deskError(response, (body ?? { errorCode: 'INVALID_OAUTH' }) as DeskErrorBody, this.context(target), this.options.clock.now());
      }
    }
    const serverMs = Date.parse(response.headers.date ?? '');
    if (!Number.isNaN(serverMs)) this.clockReading = { serverMs, localMs: this.options.clock.now() };
    const weight = this.credits.record(name, response.headers);
    if (response.status >= 200 && response.status < 300) {
      const contentType = response.headers['content-type'];
      return { status: response.status, body, weight, ...(contentType ? { contentType } : {}) };
    }
    throw deskError(response, body as DeskErrorBody | undefined, this.context(target), this.options.clock.now());
  }

  /**
   * One HTTP call, never longer than the time left: a call that could not finish before the deadline (the
   * Lambda's end) is not started, and one that starts gets only the time that is left.
   */
  private async exchange(target: DeskEndpoint, url: string, token: string, mode: FileMode | undefined): Promise<HttpResponse> {
    const request = describeEndpoint(target);
    const timeoutMs = callTimeout(this.options.budget ?? UNLIMITED, this.timeoutMs, request);
    const headers: Record<string, string> = { authorization: `Zoho-oauthtoken ${token}`, accept: mode ? '*/*' : 'application/json' };
    if (target.needsOrgId && this.options.orgId) headers.orgId = this.options.orgId;
    const maxBytes = mode?.maxBytes ?? this.maxResponseBytes;
    try {
      return await this.options.http({ method: 'GET', url, headers, timeoutMs, maxBytes, ...(mode ? { binary: true } : {}) });
    } catch (cause) {
      if (cause instanceof ResponseTooLargeError) {
        const limit = mode?.limit ?? 'ZOHO_MAX_RESPONSE_MB';
        throw new ZohoRejectedError(
          `Zoho Desk's answer to ${request} is larger than ${mebibytes(cause.maxBytes)} (${limit}): it was refused without ` +
            `being read whole. Raise ${limit} if such ${mode ? 'files' : 'pages'} are expected.`,
          { request, cause },
        );
      }
      throw new RetryLaterError(`Zoho Desk did not answer ${request}: ${(cause as Error).message}`, { request, cause });
    }
  }

  private context(target: DeskEndpoint) {
    return { endpoint: target, location: this.options.location, orgId: this.options.orgId };
  }
}
