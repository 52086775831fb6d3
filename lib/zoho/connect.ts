import { fetchHttpClient } from '../adapters/fetch-http.js';
import { systemClock } from '../clock.js';
import type { Clock, HttpClient, Logger, SecretStore } from '../ports.js';
import { ZohoAccountsClient } from './accounts-client.js';
import { CreditMeter } from './credits.js';
import { resolveLocation, type ZohoLocation } from './data-centres.js';
import { DeskClient, type RetryPolicy } from './desk-client.js';
import { parseZohoSecret, type ZohoSecret } from './secret.js';
import { TokenProvider, type TokenProviderOptions } from './token-provider.js';

export interface ConnectOptions {
  env: Record<string, string | undefined>;
  store: SecretStore;
  http?: HttpClient;
  clock?: Clock;
  logger?: Logger;
  credits?: CreditMeter;
  maxConcurrency?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  tokens?: Partial<Pick<TokenProviderOptions, 'mintLimit' | 'expirySkewMs' | 'maxMintWaitMs' | 'codeRaceWaitMs' | 'fatalRecheckMs' | 'refreshJitterMs'>>;
}

export interface ZohoConnection {
  location: ZohoLocation;
  /** the secret as validated at start-up */
  secret: ZohoSecret;
  accounts: ZohoAccountsClient;
  tokens: TokenProvider;
  desk: DeskClient;
}

/**
 * Reads and validates the secret once, picks the data centre, and builds the Zoho clients for it. Built
 * once per process (per secret) and passed to whatever talks to Zoho.
 */
export async function connectZoho(options: ConnectOptions): Promise<ZohoConnection> {
  const secret = parseZohoSecret(await options.store.read(), options.store.description);
  const location = resolveLocation(options.env, secret.dc);
  const http = options.http ?? fetchHttpClient;
  const clock = options.clock ?? systemClock;
  const accounts = new ZohoAccountsClient(http, location, options.timeoutMs);
  const tokens = new TokenProvider({
    store: options.store,
    accounts,
    clock,
    ...(options.logger && { logger: options.logger }),
    ...options.tokens,
  });
  const desk = new DeskClient({
    http,
    tokens,
    location,
    orgId: secret.org_id,
    clock,
    credits: options.credits ?? new CreditMeter(),
    ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.retry && { retry: options.retry }),
    ...(options.logger && { logger: options.logger }),
  });
  return { location, secret, accounts, tokens, desk };
}
