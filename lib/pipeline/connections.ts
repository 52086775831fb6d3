import { InvalidMessageError, isAppError } from '../errors.js';
import type { Clock, HttpClient, Logger, SecretStore } from '../ports.js';
import { connectZoho, type ConnectOptions, type ZohoConnection } from '../zoho/connect.js';
import type { CallBudget } from '../zoho/call-budget.js';
import type { RetryPolicy } from '../zoho/desk-client.js';

export interface ConnectionOptions {
  env: Record<string, string | undefined>;
  /** the secret store for a message's secretId (undefined: the default secret) */
  storeFor(secretId: string | undefined): SecretStore;
  /** calls one connection makes at once */
  maxConcurrency: number;
  timeoutMs?: number;
  budget?: CallBudget;
  retry?: RetryPolicy;
  tokens?: ConnectOptions['tokens'];
  http?: HttpClient;
  clock?: Clock;
  logger?: Logger;
  /** run once on each new connection before it is used (the credit reserve, say) */
  prepare?: (connection: ZohoConnection) => Promise<void>;
}

/**
 * Zoho connections, one per secret, built on first use and shared by every page after: one token cache and
 * one concurrency bound per portal per process.
 */
export function zohoConnections(options: ConnectionOptions): (secretId: string | undefined) => Promise<ZohoConnection> {
  const connections = new Map<string, Promise<ZohoConnection>>();
  return (secretId) => {
    const store = options.storeFor(secretId);
    let connection = connections.get(store.description);
    if (!connection) {
      connection = connectZoho({
        env: options.env,
        store,
        maxConcurrency: options.maxConcurrency,
        ...(options.tokens && { tokens: options.tokens }),
        ...(options.retry && { retry: options.retry }),
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        ...(options.budget && { budget: options.budget }),
        ...(options.http && { http: options.http }),
        ...(options.clock && { clock: options.clock }),
        ...(options.logger && { logger: options.logger }),
      }).then(async (ready) => {
        await options.prepare?.(ready);
        return ready;
      });
      // A failed connection (a bad secret, say) is not kept: fixing it and retrying works.
      connection.catch(() => connections.delete(store.description));
      connections.set(store.description, connection);
    }
    return secretId === undefined ? connection : connection.catch((error: unknown) => Promise.reject(namedByMessage(secretId, error)));
  };
}

/**
 * A secret a message names (its `secretId`) that is missing or unusable is that message's problem — set it
 * aside with the reason — not the deployment's: the messages of every other portal go on.
 */
function namedByMessage(secretId: string, error: unknown): unknown {
  if (!isAppError(error) || error.action !== 'fix') return error;
  return new InvalidMessageError(`secretId "${secretId}": ${error.message}`, { cause: error });
}
