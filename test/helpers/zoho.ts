import { mkdtemp, rm } from 'node:fs/promises';
import { afterEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchHttpClient } from '../../lib/adapters/fetch-http.js';
import { FileSecretStore } from '../../lib/adapters/file-secret-store.js';
import { writeMatchingSecret } from '../../lib/simulator/matching-secret.js';
import type { Clock, HttpClient, HttpRequest, HttpResponse } from '../../lib/ports.js';
import { startSimulator, type RunningSimulator, type StartOptions } from '../../lib/simulator/server.js';
import { connectZoho, type ConnectOptions, type ZohoConnection } from '../../lib/zoho/connect.js';

/** Every request the client made, seen on the way through the real HTTP client (a spy, not a mock). */
export interface Recorded {
  request: HttpRequest;
  response?: HttpResponse;
}

export function recordingHttp(inner: HttpClient = fetchHttpClient): { http: HttpClient; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const http: HttpClient = async (request) => {
    const entry: Recorded = { request };
    calls.push(entry);
    entry.response = await inner(request);
    return entry.response;
  };
  return { http, calls };
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'zdr-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface Fixture {
  running: RunningSimulator;
  store: FileSecretStore;
  env: Record<string, string>;
  dir: string;
  /** the secretIds of the further portals (`simulator.portals`): their secrets sit beside the default one */
  portalSecrets: string[];
  /** a connection with its own token provider: one per "worker" */
  connect(options?: Partial<ConnectOptions>): Promise<ZohoConnection>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  simulator?: StartOptions;
  /** fields to write into the secret on top of the matching client, code and org id */
  secret?: Record<string, unknown>;
  scopes?: readonly string[];
  clock?: Clock;
}

/** A simulator on 127.0.0.1:0 and a secret file that matches it, in a fresh temporary folder. */
export async function simulatorFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const running = await startSimulator({ ...options.simulator });
  const dir = await tempDir();
  const store = new FileSecretStore(join(dir.path, 'auth.json'));
  const { sim } = running;
  await store.write({
    client_id: sim.accounts.clientId,
    client_secret: sim.accounts.clientSecret,
    code: sim.issueGrantCode(options.scopes),
    org_id: sim.orgId,
    ...options.secret,
  });
  // Locally a secretId "x" is the file x.json beside the default secret.
  const portalSecrets = running.sims.slice(1).map((other) => `zoho_auth_${other.orgId}`);
  for (const [i, other] of running.sims.slice(1).entries()) {
    await writeMatchingSecret(other, new FileSecretStore(join(dir.path, `${portalSecrets[i]}.json`)), options.scopes);
  }
  const env = { ZOHO_ACCOUNTS_URL: running.accountsUrl, ZOHO_DESK_URL: running.deskUrl };
  return {
    running,
    store,
    env,
    dir: dir.path,
    portalSecrets,
    // Quick client retries: the behaviour is the same, the waits are shorter.
    connect: (extra = {}) =>
      connectZoho({ env, store, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 }, ...(options.clock && { clock: options.clock }), ...extra }),
    close: async () => {
      await running.stop();
      await dir.remove();
    },
  };
}

/** Opens fixtures that are closed after each test: `const open = fixtures();` at the top of a file. */
export function fixtures(): (options?: FixtureOptions) => Promise<Fixture> {
  const opened: Fixture[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((fixture) => fixture.close()));
  });
  return async (options) => {
    const fixture = await simulatorFixture(options);
    opened.push(fixture);
    return fixture;
  };
}
