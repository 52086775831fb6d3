import { createHash } from 'node:crypto';
import { ConfigError, ReauthorizeError, RetryLaterError } from '../errors.js';
import type { Clock, Logger, SecretStore } from '../ports.js';
import { silentLogger } from '../ports.js';
import { ACCESS_DENIED, MINT_WINDOW_MS, type TokenGrant, type ZohoAccountsClient } from './accounts-client.js';
import { parseZohoSecret, type ZohoSecret } from './secret.js';

/** What the Desk client needs from token management. */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
  /** Zoho refused this token: never hand it out again. */
  invalidate(token: string): void;
}

export interface TokenProviderOptions {
  store: SecretStore;
  accounts: ZohoAccountsClient;
  clock: Clock;
  logger?: Logger;
  /** Zoho allows 10 access tokens per refresh token per 10 minutes */
  mintLimit?: number;
  /** a token is treated as expired this long before Zoho expires it */
  expirySkewMs?: number;
  /** over the mint limit, wait up to this long for the window instead of failing with RetryLaterError */
  maxMintWaitMs?: number;
  /** told before such a wait starts: how long, and until when (so a person watching knows why nothing moves) */
  onMintWait?: (waitMs: number, until: string) => void;
  /** a rejected grant code may have just been used by another worker: watch the store this long for its result */
  codeRaceWaitMs?: number;
  /** a reauthorize/config failure is re-checked against the store no more often than this */
  fatalRecheckMs?: number;
  /**
   * Refresh up to this much earlier than the expiry skew, at a point chosen at random once per process, so
   * many Lambdas sharing one secret do not all refresh at the same moment: the first one mints, the others
   * find its token in the store.
   */
  refreshJitterMs?: number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

interface FatalState {
  error: Error;
  fingerprint: string;
  checkedAt: number;
}

/**
 * Access tokens for one secret: cached with their expiry, shared through the secret store, and minted by
 * one refresh at a time — never one per request. Order of preference: the in-memory token, a token another
 * worker stored, a refresh with the stored refresh token, and only when there is none, the grant code.
 */
export class TokenProvider implements AccessTokenSource {
  readonly stats = { mints: 0, exchanges: 0 };
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private readonly rejected = new Set<string>();
  private fatal: FatalState | undefined;
  private readonly logger: Logger;
  private readonly mintLimit: number;
  /** a token counts as expired this long before Zoho expires it: the skew plus this process's jitter */
  private readonly skewMs: number;
  private readonly maxMintWaitMs: number;
  private readonly codeRaceWaitMs: number;
  private readonly fatalRecheckMs: number;

  constructor(private readonly options: TokenProviderOptions) {
    this.logger = options.logger ?? silentLogger;
    this.mintLimit = options.mintLimit ?? 10;
    this.skewMs = (options.expirySkewMs ?? 60_000) + Math.floor(Math.random() * (options.refreshJitterMs ?? 0));
    this.maxMintWaitMs = options.maxMintWaitMs ?? 0;
    this.codeRaceWaitMs = options.codeRaceWaitMs ?? 5_000;
    this.fatalRecheckMs = options.fatalRecheckMs ?? 60_000;
  }

  accessToken(): Promise<string> {
    const now = this.options.clock.now();
    if (this.cached && this.cached.expiresAt - this.skewMs > now) return Promise.resolve(this.cached.token);
    // Single flight: every caller waiting for a token shares this one promise.
    this.inflight ??= this.acquire().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  invalidate(token: string): void {
    this.rejected.add(token);
    if (this.cached?.token === token) this.cached = undefined;
  }

  /**
   * Exchanges the secret's grant code now, even if a refresh token is stored (`auth init --replace`).
   * Without `replace`, a stored refresh token wins and no exchange happens.
   */
  async exchangeGrantCode(replace = false): Promise<'exchanged' | 'kept-refresh-token'> {
    const secret = await this.readSecret();
    if (secret.refresh_token && !replace) return 'kept-refresh-token';
    if (!secret.code) {
      throw new ConfigError(
        `The ${this.options.store.description} has no "code" to exchange: generate a grant code in the Zoho API ` +
          'console (Self Client → Generate Code) and put it in "code".',
      );
    }
    this.cached = undefined;
    await this.exchange(secret);
    return 'exchanged';
  }

  private async acquire(): Promise<string> {
    if (this.fatal) await this.recheckFatal();
    try {
      return await this.acquireFromStore();
    } catch (error) {
      if (error instanceof ReauthorizeError || error instanceof ConfigError) {
        // Remember it: hundreds of waiting fetches must not each ask Zoho again with the same bad credentials.
        this.fatal = { error, fingerprint: await this.fingerprint(), checkedAt: this.options.clock.now() };
      }
      throw error;
    }
  }

  /** A fatal failure stays fatal until the credentials in the store change (a new code, say). */
  private async recheckFatal(): Promise<void> {
    const fatal = this.fatal;
    if (!fatal) return;
    const now = this.options.clock.now();
    if (now - fatal.checkedAt < this.fatalRecheckMs) throw fatal.error;
    if ((await this.fingerprint()) === fatal.fingerprint) {
      fatal.checkedAt = now;
      throw fatal.error;
    }
    this.fatal = undefined;
  }

  private async acquireFromStore(): Promise<string> {
    const secret = await this.readSecret();
    const now = this.options.clock.now();
    const stored = secret.access_token;
    const storedExpiry = secret.access_token_expires_at ? Date.parse(secret.access_token_expires_at) : 0;
    if (stored && storedExpiry - this.skewMs > now && !this.rejected.has(stored)) {
      this.cached = { token: stored, expiresAt: storedExpiry };
      return stored;
    }
    if (secret.refresh_token) return this.mint(secret, secret.refresh_token);
    return this.exchange(secret);
  }

  private async mint(secret: ZohoSecret, refreshToken: string): Promise<string> {
    await this.waitForMintWindow(secret);
    let grant: TokenGrant;
    try {
      grant = await this.options.accounts.refresh(this.credentials(secret), refreshToken);
    } catch (error) {
      if (error instanceof RetryLaterError && error.errorCode === ACCESS_DENIED) await this.recordMintBlock();
      throw error;
    }
    this.stats.mints += 1;
    try {
      await this.store(grant);
    } catch (error) {
      // The token still works for this process; other workers will mint their own.
      this.logger.warn({ secret: this.options.store.description, error: (error as Error).message }, 'could not share the new access token');
    }
    return this.remember(grant);
  }

  private async exchange(secret: ZohoSecret): Promise<string> {
    const code = secret.code;
    if (!code) {
      throw new ConfigError(`The ${this.options.store.description} has neither "code" nor "refresh_token".`);
    }
    let grant: TokenGrant;
    try {
      grant = await this.options.accounts.exchangeCode(this.credentials(secret), code, secret.redirect_uri || undefined);
    } catch (error) {
      // Many workers starting at once all see the code; Zoho accepts it once. The winner stores the
      // refresh token, so a loser waits for it instead of failing.
      if (error instanceof ReauthorizeError && (await this.waitForOtherExchange())) return this.acquireFromStore();
      throw error;
    }
    this.stats.exchanges += 1;
    if (!grant.refreshToken) {
      throw new ReauthorizeError(
        'Zoho exchanged the grant code but returned no refresh_token, so access would end within the hour. For a web ' +
          'client, authorise with access_type=offline&prompt=consent; for a Self Client, generate a new code and run ' +
          '`zoho-desk-reports auth init` again.',
      );
    }
    await this.storeWithRetry(grant);
    return this.remember(grant);
  }

  private remember(grant: TokenGrant): string {
    this.cached = { token: grant.accessToken, expiresAt: this.options.clock.now() + grant.expiresInMs };
    return grant.accessToken;
  }

  private async waitForMintWindow(secret: ZohoSecret): Promise<void> {
    const now = this.options.clock.now();
    const recent = (secret.token_mints ?? []).filter((at) => at > now - MINT_WINDOW_MS).sort((a, b) => a - b);
    let readyAt = secret.token_mint_blocked_until ? Date.parse(secret.token_mint_blocked_until) : 0;
    if (recent.length >= this.mintLimit) {
      readyAt = Math.max(readyAt, (recent[recent.length - this.mintLimit] ?? now) + MINT_WINDOW_MS);
    }
    const waitMs = readyAt - now;
    if (waitMs <= 0) return;
    if (waitMs > this.maxMintWaitMs) {
      throw new RetryLaterError(
        `No new Zoho access token before ${new Date(readyAt).toISOString()}: Zoho allows ${this.mintLimit} per refresh ` +
          'token in 10 minutes and this window is used up. Retry after that time.',
        { errorCode: ACCESS_DENIED, retryAfterSeconds: Math.ceil(waitMs / 1000) },
      );
    }
    this.logger.info({ waitMs }, 'waiting for the Zoho token-mint window');
    this.options.onMintWait?.(waitMs, new Date(readyAt).toISOString());
    await this.options.clock.sleep(waitMs);
  }

  private async recordMintBlock(): Promise<void> {
    const until = new Date(this.options.clock.now() + MINT_WINDOW_MS).toISOString();
    try {
      await this.update((current) => ({ ...current, token_mint_blocked_until: until }));
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'could not record the token-mint block');
    }
  }

  private async waitForOtherExchange(): Promise<boolean> {
    const deadline = this.options.clock.now() + this.codeRaceWaitMs;
    for (;;) {
      const raw = await this.options.store.read();
      if (typeof raw.refresh_token === 'string' && raw.refresh_token) return true;
      if (this.options.clock.now() >= deadline) return false;
      await this.options.clock.sleep(250);
    }
  }

  /** Writes the new token back beside the refresh token; a first exchange also stores the refresh token. */
  private store(grant: TokenGrant): Promise<void> {
    const now = this.options.clock.now();
    return this.update((current) => {
      const mints = Array.isArray(current.token_mints) ? (current.token_mints as unknown[]) : [];
      const next: Record<string, unknown> = {
        ...current,
        access_token: grant.accessToken,
        access_token_expires_at: new Date(now + grant.expiresInMs).toISOString(),
        token_mints: [...mints.filter((at): at is number => typeof at === 'number' && at > now - MINT_WINDOW_MS), now],
      };
      delete next.token_mint_blocked_until;
      if (grant.refreshToken) {
        next.refresh_token = grant.refreshToken;
        delete next.code; // used: a later start must never try it again
      }
      return next;
    });
  }

  private async storeWithRetry(grant: TokenGrant): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.store(grant);
        return;
      } catch (error) {
        lastError = error;
        await this.options.clock.sleep(200 * (attempt + 1));
      }
    }
    throw new ConfigError(
      `Zoho issued a refresh token but it could not be written to the ${this.options.store.description} ` +
        `(${(lastError as Error).message}). Give this process write access to it, then generate a new grant code and ` +
        'run `zoho-desk-reports auth init`.',
      { cause: lastError },
    );
  }

  private async update(change: (current: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    const current = await this.options.store.read();
    await this.options.store.write(change(current));
  }

  private async readSecret(): Promise<ZohoSecret> {
    return parseZohoSecret(await this.options.store.read(), this.options.store.description);
  }

  private credentials(secret: ZohoSecret) {
    return { clientId: secret.client_id, clientSecret: secret.client_secret };
  }

  /** A digest of the credentials, to notice that someone fixed the secret. Never logged. */
  private async fingerprint(): Promise<string> {
    let raw: Record<string, unknown>;
    try {
      raw = await this.options.store.read();
    } catch (error) {
      return `unreadable:${(error as Error).message}`;
    }
    const parts = [raw.client_id, raw.client_secret, raw.code, raw.refresh_token, raw.redirect_uri].map((v) => String(v ?? ''));
    return createHash('sha256').update(parts.join('\u0000')).digest('hex');
  }
}
