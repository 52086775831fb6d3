import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretStore } from '../adapters/file-secret-store.js';
import { FolderObjectStore } from '../adapters/folder-object-store.js';
import { FolderQueue } from '../adapters/folder-queue.js';
import { systemClock } from '../clock.js';
import { warn, type PipelineDeps, type PipelineEvent } from '../pipeline/deps.js';
import type { RetryTiming } from '../pipeline/failure-policy.js';
import { drain, type DrainResult } from '../pipeline/local-runner.js';
import { zohoConnections } from '../pipeline/connections.js';
import { reconcileMsFrom } from '../pipeline/discovery.js';
import { finalizeRun, type ReportManifest } from '../pipeline/manifest.js';
import { silentLogger } from '../ports.js';
import { writeMatchingSecret } from '../simulator/matching-secret.js';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import type { RetryPolicy } from '../zoho/desk-client.js';
import { applyCreditReserve, DEFAULT_RESERVE } from '../zoho/credit-reserve.js';
import { duration } from '../zoho/desk-errors.js';
import { describePortal, type Portal } from '../zoho/portal.js';
import { DEFAULT_OUT, localSecretStore, type CliContext } from './context.js';
import { secretFileFor } from './secret-files.js';

export interface LocalOptions {
  out?: string;
  secret?: string;
  simulate?: boolean;
  /** calls at once; default: what the portal's edition allows */
  concurrency?: number;
  /** delays between receives of a failing page (tests shorten them) */
  retry?: RetryTiming;
  /** the Zoho client's own quick retries (tests shorten them) */
  clientRetry?: RetryPolicy;
  /** credits the run leaves unspent: a number, or a share of the daily pool ("20%") */
  reserve?: string;
  /** how long one Zoho call may take */
  timeoutMs?: number;
}

/** receives before a page goes to the dead-letter queue (the deployed queue uses the same) */
export const MAX_RECEIVE_COUNT = 5;
/**
 * Pages in hand per Zoho call allowed: while some pages are being written to disk the calls stay busy. The
 * Zoho client itself keeps the calls in flight to the concurrency.
 */
export const PAGES_PER_CALL = 2;
/** the secretId prefix messages may name */
export const SECRET_PREFIX = 'zoho_auth';

export interface LocalPipeline {
  deps: PipelineDeps;
  queue: FolderQueue;
  store: FolderObjectStore;
  simulator: RunningSimulator | undefined;
  /**
   * Checks a portal (GET /organizations) — the default secret's, or another's by its secretId — and sets the
   * concurrency its edition allows and its credit reserve: each portal keeps to its own limits.
   */
  connectPortal(secretId?: string): Promise<Portal>;
  /** processes the queue until it is empty, then writes the manifests of every run it touched */
  /** `runIds`: runs to report on besides those whose pages were handled (one planned with nothing to queue) */
  /** `planning`: pages still being planned into the queue until it settles (read as they come) */
  process(options?: {
    stopAfter?: number;
    signal?: AbortSignal;
    runIds?: string[];
    planning?: Promise<unknown>;
  }): Promise<{ drained: DrainResult; manifests: ReportManifest[] }>;
  close(): Promise<void>;
}

const startOfUtcDay = (now: number) => Math.floor(now / 86_400_000) * 86_400_000;

/**
 * The pipeline on this machine: the reports folder as the bucket, a queue folder beside the data
 * (`<out>/.queue`), the secret file, and Zoho — or, with `simulate`, the bundled simulator started here with
 * a matching secret in a temporary folder (never over your own).
 */
export async function openLocalPipeline(options: LocalOptions, context: CliContext, events?: (event: PipelineEvent) => void): Promise<LocalPipeline> {
  const clock = context.clock ?? systemClock;
  const out = options.out ?? context.env.REPORTS_DIR ?? DEFAULT_OUT;
  const store = new FolderObjectStore(out);
  let secret = localSecretStore(context, options.secret);
  let env = context.env;
  const reconcileMs = reconcileMsFrom(env);
  let simulator: RunningSimulator | undefined;
  let tempDir: string | undefined;
  let queue: FolderQueue;
  try {
    if (options.simulate) {
      // The same portal all day: re-running or redriving later in the day reads the same data.
      simulator = await startSimulator({ dataAsOf: startOfUtcDay(clock.now()) });
      tempDir = await mkdtemp(join(tmpdir(), 'zoho-desk-reports-'));
      secret = new FileSecretStore(join(tempDir, 'auth.json'));
      await writeMatchingSecret(simulator.sim, secret);
      env = { ...env, ZOHO_ACCOUNTS_URL: simulator.accountsUrl, ZOHO_DESK_URL: simulator.deskUrl, ZOHO_DC: undefined };
    }
    queue = await FolderQueue.open(join(out, '.queue'), { clock, maxReceiveCount: MAX_RECEIVE_COUNT });
  } catch (error) {
    // The simulator would keep the process alive, and the temporary secret would stay behind.
    await simulator?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  // Each portal's calls at once (by its queue group, its secretId; "" the default secret's), as its edition allows.
  const portalCalls = new Map<string, number>();
  const callsOf = (group: string) => portalCalls.get(group) ?? options.concurrency ?? 5;
  const deps: PipelineDeps = {
    store,
    queue,
    clock,
    logger: context.logger ?? silentLogger,
    zoho: zohoConnections({
      env,
      // Another portal's secretId "x" is the file x.json beside the default secret, never outside its folder.
      storeFor: (secretId) => (secretId === undefined ? secret : secretFileFor(secret, secretId)),
      maxConcurrency: options.concurrency ?? 5,
      clock,
      ...(context.logger && { logger: context.logger }),
      // One process: nobody else can be exchanging the same grant code. Over Zoho's mint limit, wait for the
      // window (at most ten minutes) rather than fail the pages.
      tokens: {
        codeRaceWaitMs: 0,
        maxMintWaitMs: 10 * 60_000 + 5_000,
        onMintWait: (waitMs, until) =>
          events?.({
            type: 'waiting',
            message:
              `Zoho Accounts allows 10 new access tokens per refresh token in 10 minutes, and this window is used up: ` +
              `waiting ${duration(Math.ceil(waitMs / 1000))}, until ${until.slice(11, 19)} UTC, then going on.`,
          }),
      },
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.clientRetry && { retry: options.clientRetry }),
      ...(context.http && { http: context.http }),
    }),
    secretPrefix: SECRET_PREFIX,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    ...(reconcileMs !== undefined && { reconcileMs }),
    ...(events && { events }),
  };
  return {
    deps,
    queue,
    store,
    simulator,
    async connectPortal(secretId?: string) {
      const zoho = await deps.zoho(secretId);
      const portal = await describePortal(zoho.desk);
      const calls = options.concurrency ?? portal.concurrency;
      portalCalls.set(secretId ?? '', calls);
      zoho.desk.setMaxConcurrency(calls);
      await applyCreditReserve(zoho.desk, options.reserve ?? DEFAULT_RESERVE, portal);
      return portal;
    },
    async process({ runIds = [], ...processOptions } = {}) {
      const portals = [...portalCalls.values()];
      const drained = await drain(queue, deps, {
        concurrency: (portals.length ? portals.reduce((a, b) => a + b, 0) : callsOf('')) * PAGES_PER_CALL,
        limitOf: (group) => callsOf(group) * PAGES_PER_CALL,
        ...(options.retry && { retry: options.retry }),
        ...processOptions,
      });
      for (const runId of runIds) drained.runIds.add(runId);
      const manifests: ReportManifest[] = [];
      const finalize = { now: clock.now(), warn: (message: string) => warn(deps, message) };
      for (const runId of [...drained.runIds].sort()) manifests.push(...(await finalizeRun(store, runId, finalize)));
      return { drained, manifests };
    },
    async close() {
      await queue.close();
      await simulator?.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}
