import { dirname, join } from 'node:path';
import { FileSecretStore } from '../adapters/file-secret-store.js';
import type { Clock, HttpClient, Logger } from '../ports.js';
import { connectZoho, type ZohoConnection } from '../zoho/connect.js';
import type { RetryPolicy } from '../zoho/desk-client.js';

export interface LocalConnectionOptions {
  env: Record<string, string | undefined>;
  /** the default secret file; another portal's secretId "x" is the file x.json beside it */
  secret: FileSecretStore;
  maxConcurrency: number;
  retry?: RetryPolicy;
  http?: HttpClient;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Zoho connections for this machine, one per secret, built on first use and shared by every page after:
 * one token cache and one concurrency bound per portal.
 */
export function localConnections(options: LocalConnectionOptions): (secretId: string | undefined) => Promise<ZohoConnection> {
  const connections = new Map<string, Promise<ZohoConnection>>();
  return (secretId) => {
    const store = secretId === undefined ? options.secret : new FileSecretStore(join(dirname(options.secret.path), `${secretId}.json`));
    let connection = connections.get(store.path);
    if (!connection) {
      connection = connectZoho({
        env: options.env,
        store,
        maxConcurrency: options.maxConcurrency,
        // One process: nobody else can be exchanging the same grant code.
        tokens: { codeRaceWaitMs: 0 },
        ...(options.retry && { retry: options.retry }),
        ...(options.http && { http: options.http }),
        ...(options.clock && { clock: options.clock }),
        ...(options.logger && { logger: options.logger }),
      });
      // A failed connection (a bad secret, say) is not cached: fixing the file and retrying works.
      connection.catch(() => connections.delete(store.path));
      connections.set(store.path, connection);
    }
    return connection;
  };
}
