import { ConfigError, ReauthorizeError, RetryLaterError } from '../errors.js';
import { ResponseTooLargeError, type HttpClient, type HttpResponse } from '../ports.js';
import { callTimeout, UNLIMITED, type CallBudget } from './call-budget.js';
import { dataCentreAdvice, type ZohoLocation } from './data-centres.js';

/** What a successful call to Zoho Accounts' token endpoint gives back. */
export interface TokenGrant {
  accessToken: string;
  /** only on a grant-code exchange; a refresh keeps the original refresh token */
  refreshToken: string | undefined;
  expiresInMs: number;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Zoho documents one hour; used when `expires_in` is missing or unreadable. */
const DEFAULT_LIFETIME_MS = 3_600_000;

/** Zoho's token-throttling answer comes as HTTP 200 with this error. */
export const ACCESS_DENIED = 'access_denied';
/** Mints are blocked "for the rest of the 10 minutes": without Zoho saying when, assume all of them. */
export const MINT_WINDOW_MS = 10 * 60_000;

/**
 * `expires_in` is seconds today; older answers gave milliseconds (with `expires_in_sec` beside them).
 * Anything above a day cannot be seconds for a one-hour token, so it is read as milliseconds.
 */
export function readExpiresInMs(body: Record<string, unknown>): number {
  const seconds = Number(body.expires_in_sec);
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  const raw = Number(body.expires_in);
  if (!Number.isFinite(raw) || raw <= 0) return DEFAULT_LIFETIME_MS;
  return raw > 86_400 ? raw : raw * 1000;
}

/**
 * Zoho's own words (`error`, `error_description`), fit to quote in a message: without any value the request
 * carried (the client secret, the grant code, the refresh token), nor any long run of letters and digits that
 * could be part of one, and short.
 */
export function zohoWords(value: unknown, sent: readonly string[]): string {
  let text = typeof value === 'string' ? value : String(value);
  for (const secret of sent) if (secret.length >= 4) text = text.replaceAll(secret, '[redacted]');
  text = text.replace(/[A-Za-z0-9._~+/=-]{20,}/g, (run) => (/\d/.test(run) ? '[redacted]' : run));
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** A token answer is a few hundred bytes; anything near this is something else. */
const MAX_TOKEN_ANSWER_BYTES = 1024 * 1024;

function isHtml(response: HttpResponse): boolean {
  return (response.headers['content-type'] ?? '').includes('text/html') || /^\s*</.test(response.body);
}

/**
 * OAuth2 against Zoho Accounts: grant-code exchange and refresh, with every failure typed. A token endpoint that
 * refuses for good is a configuration error (fix): without a token no page of the portal can succeed.
 */
export class ZohoAccountsClient {
  constructor(
    private readonly http: HttpClient,
    private readonly location: ZohoLocation,
    private readonly timeoutMs = 30_000,
    private readonly budget: CallBudget = UNLIMITED,
  ) {}

  exchangeCode(credentials: ClientCredentials, code: string, redirectUri?: string): Promise<TokenGrant> {
    const form: Record<string, string> = { grant_type: 'authorization_code', code };
    if (redirectUri) form.redirect_uri = redirectUri;
    return this.requestToken(credentials, form);
  }

  refresh(credentials: ClientCredentials, refreshToken: string): Promise<TokenGrant> {
    return this.requestToken(credentials, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async requestToken(credentials: ClientCredentials, form: Record<string, string>): Promise<TokenGrant> {
    const request = 'POST /oauth/v2/token';
    const grantType = form.grant_type as 'authorization_code' | 'refresh_token';
    // Form-encoded body, never the query string: the values are secrets and URLs end up in logs.
    const body = new URLSearchParams({
      ...form,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    }).toString();
    const timeoutMs = callTimeout(this.budget, this.timeoutMs, request);
    let response: HttpResponse;
    try {
      response = await this.http({
        method: 'POST',
        url: `${this.location.accountsUrl}/oauth/v2/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        timeoutMs,
        maxBytes: MAX_TOKEN_ANSWER_BYTES,
      });
    } catch (cause) {
      if (cause instanceof ResponseTooLargeError) {
        throw new ConfigError(
          `Zoho Accounts (${this.location.accountsUrl}) answered more than 1 MB, which is no token answer: is ZOHO_ACCOUNTS_URL a proxy or another site?`,
          { request, cause },
        );
      }
      throw new RetryLaterError(`Zoho Accounts (${this.location.accountsUrl}) did not answer: ${(cause as Error).message}`, {
        request,
        cause,
      });
    }
    if (isHtml(response)) {
      if (response.status >= 500) {
        throw new RetryLaterError(`Zoho Accounts answered HTTP ${response.status} (an HTML error page); try again later.`, {
          request,
          status: response.status,
        });
      }
      throw new ConfigError(
        `Zoho Accounts at ${this.location.accountsUrl} answered with an HTML page (HTTP ${response.status}) instead of JSON. ` +
          dataCentreAdvice(this.location),
        { request, status: response.status },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object') {
      if (response.status >= 500 || response.status === 429) {
        throw new RetryLaterError(`Zoho Accounts answered HTTP ${response.status}; try again later.`, {
          request,
          status: response.status,
        });
      }
      throw new ConfigError(`Zoho Accounts answered HTTP ${response.status} with a body that is not JSON.`, {
        request,
        status: response.status,
      });
    }
    const answer = parsed as Record<string, unknown>;
    // Zoho reports token errors in the body, often with HTTP 200.
    if (answer.error !== undefined) {
      const sent = [credentials.clientSecret, form.code, form.refresh_token].filter((v): v is string => typeof v === 'string');
      throw this.tokenError(answer, grantType, response.status, sent);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new RetryLaterError(`Zoho Accounts answered HTTP ${response.status}; try again later.`, {
        request,
        status: response.status,
      });
    }
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new ConfigError(
        `Zoho Accounts answered HTTP ${response.status} without an access_token (keys: ${Object.keys(answer).join(', ') || 'none'}).`,
        { request, status: response.status },
      );
    }
    return {
      accessToken: answer.access_token,
      refreshToken: typeof answer.refresh_token === 'string' && answer.refresh_token ? answer.refresh_token : undefined,
      expiresInMs: readExpiresInMs(answer),
    };
  }

  private tokenError(answer: Record<string, unknown>, grantType: string, status: number, sent: readonly string[]): Error {
    const request = 'POST /oauth/v2/token';
    const raw = zohoWords(answer.error, sent);
    const code = raw.trim().toLowerCase().replace(/\s+/g, '_');
    const description = typeof answer.error_description === 'string' ? zohoWords(answer.error_description, sent) : '';
    const context = { request, status, errorCode: code };
    const accounts = this.location.accountsUrl;
    if (code === ACCESS_DENIED || /too many requests/i.test(description)) {
      return new RetryLaterError(
        'Zoho Accounts is throttling token requests ("Access Denied": more than 10 access tokens per refresh token ' +
          'in 10 minutes). Wait for the window to pass; do not retry sooner.',
        { ...context, errorCode: ACCESS_DENIED, retryAfterSeconds: MINT_WINDOW_MS / 1000 },
      );
    }
    if (code === 'invalid_client' || code === 'invalid_client_secret') {
      return new ConfigError(
        `Zoho Accounts at ${accounts} rejected the client_id/client_secret (${raw}). Check both against the API ` +
          `console's Self Client, and that the client was created in this data centre. ${dataCentreAdvice(this.location)}`,
        context,
      );
    }
    if (code === 'invalid_redirect_uri' || code === 'redirect_uri_mismatch') {
      return new ConfigError(
        `Zoho Accounts rejected the redirect_uri (${raw}): remove "redirect_uri" from the secret for a Self Client, ` +
          "or make it exactly the web client's registered redirect URI.",
        context,
      );
    }
    if (code === 'invalid_code' || code === 'invalid_token' || code === 'invalid_grant') {
      const what =
        grantType === 'authorization_code'
          ? 'The grant code was rejected: it expired (codes live 3 minutes unless you chose longer), was already used, ' +
            `or was generated in another data centre than ${accounts}.`
          : 'The refresh token was rejected: it was revoked, replaced (Zoho keeps only 20 per user and silently ' +
            `deletes the oldest), or belongs to another data centre than ${accounts}.`;
      return new ReauthorizeError(
        `${what} Generate a new grant code in the Zoho API console (Self Client → Generate Code), put it in the ` +
          'secret\'s "code" (removing "refresh_token"), and run `zoho-desk-reports auth init`.',
        context,
      );
    }
    return new ConfigError(`Zoho Accounts refused the token request: ${raw}${description ? ` (${description})` : ''}.`, context);
  }
}
