import { fetchHttpClient } from '../adapters/fetch-http.js';
import { ConfigError } from '../errors.js';
import { systemClock } from '../clock.js';
import type { Clock, HttpClient, Logger, SecretStore } from '../ports.js';
import { ZohoAccountsClient } from './accounts-client.js';
import type { CallBudget } from './call-budget.js';
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
  /** the time Zoho calls may still take (a Lambda invocation's end) */
  budget?: CallBudget;
  retry?: RetryPolicy;
  tokens?: Partial<
    Pick<
      TokenProviderOptions,
      'mintLimit' | 'expirySkewMs' | 'maxMintWaitMs' | 'onMintWait' | 'codeRaceWaitMs' | 'fatalRecheckMs' | 'refreshJitterMs'
    >
  >;
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
  const accounts = new ZohoAccountsClient(http, location, options.timeoutMs, options.budget);
  const tokens = new TokenProvider({
    store: options.store,
    accounts,
    clock,
    ...(options.logger && { logger: options.logger }),
    ...options.tokens,
  });
  const maxResponseBytes = maxResponseBytesFrom(options.env);
  const maxAttachmentBytes = maxAttachmentBytesFrom(options.env);
  const desk = new DeskClient({
    http,
    tokens,
    location,
    orgId: secret.org_id,
    clock,
    credits: options.credits ?? new CreditMeter(),
    ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(maxResponseBytes !== undefined && { maxResponseBytes }),
    maxAttachmentBytes,
    ...(options.budget && { budget: options.budget }),
    ...(options.retry && { retry: options.retry }),
    ...(options.logger && { logger: options.logger }),
  });
  return { location, secret, accounts, tokens, desk };
}

/** The largest attachment copied by default (ZOHO_ATTACHMENT_MAX_MB): 20 MiB. */
export const DEFAULT_ATTACHMENT_MAX_MB = 20;

/** ZOHO_ATTACHMENT_MAX_MB: the largest attachment file copied, in MiB (0: copy none, the metadata only). */
export function maxAttachmentBytesFrom(env: Record<string, string | undefined>): number {
  const text = env.ZOHO_ATTACHMENT_MAX_MB?.trim();
  if (!text) return DEFAULT_ATTACHMENT_MAX_MB * 1024 * 1024;
  const mb = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || mb > 1024) {
    throw new ConfigError(
      `ZOHO_ATTACHMENT_MAX_MB must be a number of MB from 0 (copy no files) to 1024 (default ${DEFAULT_ATTACHMENT_MAX_MB}), not "${text.slice(0, 20)}".`,
    );
  }
  return Math.floor(mb * 1024 * 1024);
}

/** ZOHO_MAX_RESPONSE_MB: the largest Zoho answer read, in MiB (default 32). */
export function maxResponseBytesFrom(env: Record<string, string | undefined>): number | undefined {
  const text = env.ZOHO_MAX_RESPONSE_MB?.trim();
  if (!text) return undefined;
  const mb = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || mb <= 0 || mb > 1024) {
    throw new ConfigError(`ZOHO_MAX_RESPONSE_MB must be a number of MB from 1 to 1024 (default 32), not "${text.slice(0, 20)}".`);
  }
  return Math.floor(mb * 1024 * 1024);
}
