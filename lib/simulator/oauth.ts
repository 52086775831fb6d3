import { randomBytes } from 'node:crypto';
import type { Clock } from '../ports.js';
import { RECOMMENDED_SCOPES } from '../zoho/endpoints.js';

/**
 * The simulated Zoho Accounts token endpoint: self-client grant codes, refresh tokens that never expire,
 * one-hour access tokens, and Zoho's limits and quirks — errors in an HTTP 200 body, the 10-mints-per-
 * refresh-token-per-10-minutes rule answered as HTTP 200 "Access Denied", and `expires_in` optionally in
 * the old millisecond form.
 */

export interface OAuthOptions {
  clock: Clock;
  orgId: string;
  accessTokenLifetimeMs?: number;
  codeLifetimeMs?: number;
  mintLimit?: number;
  /** answer `expires_in` in milliseconds with `expires_in_sec` beside it, as old Zoho answers did */
  legacyExpiresIn?: boolean;
}

interface Grant {
  scopes: string[];
  orgId: string;
}
interface Code extends Grant {
  expiresAt: number;
  used: boolean;
}
interface RefreshToken extends Grant {
  revoked: boolean;
  mints: number[];
  blockedUntil: number;
}
export interface AccessToken extends Grant {
  expiresAt: number;
  refreshToken: string;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

const WINDOW_MS = 10 * 60_000;
const token = () => `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;

export class SimulatedAccounts {
  readonly clientId = `1000.${randomBytes(15).toString('hex').toUpperCase()}`;
  readonly clientSecret = randomBytes(21).toString('hex');
  readonly stats = { tokenRequests: 0, exchanges: 0, mints: 0, throttled: 0, lastRequestFields: [] as string[] };
  /** fault: while this says so, every token request is answered "Access Denied" */
  throttled: () => boolean = () => false;
  private readonly codes = new Map<string, Code>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly accessTokens = new Map<string, AccessToken>();

  constructor(private readonly options: OAuthOptions) {}

  /** What API console → Self Client → Generate Code does. */
  issueCode(scopes: readonly string[] = RECOMMENDED_SCOPES, lifetimeMs?: number, orgId = this.options.orgId): string {
    const code = token();
    this.codes.set(code, {
      scopes: [...scopes],
      orgId,
      expiresAt: this.options.clock.now() + (lifetimeMs ?? this.options.codeLifetimeMs ?? 180_000),
      used: false,
    });
    return code;
  }

  /** Every refresh and access token issued so far (for tests that look for leaks). */
  issuedTokens(): string[] {
    return [...this.refreshTokens.keys(), ...this.accessTokens.keys()];
  }

  revokeAllRefreshTokens(): void {
    for (const refresh of this.refreshTokens.values()) refresh.revoked = true;
  }

  /** The access token's grant, if it is known and unexpired. */
  checkAccessToken(value: string): AccessToken | undefined {
    const access = this.accessTokens.get(value);
    if (!access || access.expiresAt <= this.options.clock.now()) return undefined;
    const refresh = this.refreshTokens.get(access.refreshToken);
    return refresh?.revoked ? undefined : access;
  }

  handle(form: URLSearchParams): TokenAnswer {
    this.stats.tokenRequests += 1;
    // Names only, never values: tests check what was sent without the simulator keeping secrets around.
    this.stats.lastRequestFields = [...new Set(form.keys())].sort();
    if (this.throttled()) return this.accessDenied();
    if (form.get('client_id') !== this.clientId) return error('invalid_client');
    if (form.get('client_secret') !== this.clientSecret) return error('invalid_client_secret');
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.exchange(form);
      case 'refresh_token':
        return this.refresh(form);
      default:
        return error('unsupported_grant_type');
    }
  }

  private exchange(form: URLSearchParams): TokenAnswer {
    const code = this.codes.get(form.get('code') ?? '');
    if (!code || code.used || code.expiresAt <= this.options.clock.now()) return error('invalid_code');
    code.used = true;
    const refreshToken = token();
    this.refreshTokens.set(refreshToken, { scopes: code.scopes, orgId: code.orgId, revoked: false, mints: [], blockedUntil: 0 });
    this.stats.exchanges += 1;
    return { status: 200, body: { ...this.mintAccess(refreshToken), refresh_token: refreshToken } };
  }

  private refresh(form: URLSearchParams): TokenAnswer {
    const value = form.get('refresh_token') ?? '';
    const refresh = this.refreshTokens.get(value);
    if (!refresh || refresh.revoked) return error('invalid_code');
    const now = this.options.clock.now();
    if (now < refresh.blockedUntil) return this.accessDenied();
    refresh.mints = refresh.mints.filter((at) => at > now - WINDOW_MS);
    if (refresh.mints.length >= (this.options.mintLimit ?? 10)) {
      // Blocked for the rest of the 10 minutes that began with the oldest mint in the window.
      refresh.blockedUntil = (refresh.mints[0] ?? now) + WINDOW_MS;
      return this.accessDenied();
    }
    refresh.mints.push(now);
    this.stats.mints += 1;
    return { status: 200, body: this.mintAccess(value) };
  }

  private mintAccess(refreshToken: string): Record<string, unknown> {
    const refresh = this.refreshTokens.get(refreshToken);
    const lifetime = this.options.accessTokenLifetimeMs ?? 3_600_000;
    const value = token();
    this.accessTokens.set(value, {
      scopes: refresh?.scopes ?? [],
      orgId: refresh?.orgId ?? this.options.orgId,
      expiresAt: this.options.clock.now() + lifetime,
      refreshToken,
    });
    const expires = this.options.legacyExpiresIn ? { expires_in: lifetime, expires_in_sec: lifetime / 1000 } : { expires_in: lifetime / 1000 };
    return { access_token: value, api_domain: 'https://www.zohoapis.com', token_type: 'Bearer', ...expires };
  }

  private accessDenied(): TokenAnswer {
    this.stats.throttled += 1;
    return {
      status: 200,
      body: {
        error_description: 'You have made too many requests continuously. Please try again after some time.',
        error: 'Access Denied',
        status: 'failure',
      },
    };
  }
}

function error(code: string): TokenAnswer {
  return { status: 200, body: { error: code } };
}
