import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import type { CliContext } from '../lib/cli/context.js';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { redrive } from '../lib/cli/redrive-command.js';
import { ManualClock } from '../lib/clock.js';
import type { PipelineEvent } from '../lib/pipeline/deps.js';
import { runManifests } from '../lib/pipeline/manifest.js';
import { planRun } from '../lib/pipeline/planner.js';
import { REPORTS } from '../lib/reports/catalog.js';
import { writeMatchingSecret } from '../lib/simulator/matching-secret.js';
import { startSimulator } from '../lib/simulator/server.js';

export interface ChaosResult {
  pages: number;
  faultedCalls: number;
  faults: Record<string, number>;
  tokenThrottled: number;
  deadLettered: number;
  records: number;
  files: number;
  /** keys whose bytes differ from the clean run's, or that one run has and the other has not */
  mismatched: string[];
  status: string[];
}

const RUN = '2026-11-20T10-00-00Z-c4a0';
const ALL = REPORTS.map((r) => ({ report: r.id, params: {} }));
const FAST = { retry: { baseMs: 1, capMs: 5 }, clientRetry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 } };
const quiet = { line: () => undefined, error: () => undefined };

/** The pages, tombstones and manifests (not the bookkeeping, nor the compacted state: its views are compared in compaction.test.ts). */
async function files(out: string): Promise<Map<string, string>> {
  const store = new FolderObjectStore(out);
  const found = new Map<string, string>();
  for (const key of await store.list('')) {
    if (!key.startsWith('_') && !key.startsWith('current/')) found.set(key, await readFile(join(out, key), 'utf8'));
  }
  return found;
}

/**
 * The chaos scenario: a clean run, then the same run through 10% 5xx, 5% TOO_MANY_REQUESTS, slow answers past
 * the client's timeout, dropped connections, the token expiring while the token endpoint answers "Access
 * Denied" for five minutes, and a total outage from the `outageAfter`th page until `outageLetters` pages have
 * been dead-lettered. Then redrive. Returns what happened and how the output compares with the clean run's.
 */
export async function chaosScenario(tickets: number, outageAfter: number, outageLetters: number): Promise<ChaosResult> {
  const clock = new ManualClock('2026-11-20T10:00:00Z');
  const running = await startSimulator({ tickets, seed: 9, clock });
  const { sim } = running;
  const dir = await mkdtemp(join(tmpdir(), 'zdr-chaos-'));
  const secretPath = join(dir, 'auth.json');
  await writeMatchingSecret(sim, new FileSecretStore(secretPath));
  const context: CliContext = { env: { ZOHO_ACCOUNTS_URL: running.url, ZOHO_DESK_URL: running.url, ZOHO_SECRET_ID: secretPath }, out: quiet, clock };
  try {
    const cleanOut = join(dir, 'clean');
    const clean = await openLocalPipeline({ out: cleanOut, ...FAST }, context);
    await clean.connectPortal();
    await planRun({ runId: RUN, targets: ALL, trigger: 'cli' }, clean.deps);
    await clean.process();
    await clean.close();

    let pages = 0;
    let deadLettered = 0;
    const events = (event: PipelineEvent) => {
      if (event.type === 'page' && ++pages === outageAfter) sim.setFaults({ outage: true });
      if (event.type === 'dead-lettered' && ++deadLettered === outageLetters) sim.setFaults({ outage: false });
    };
    const chaoticOut = join(dir, 'chaotic');
    const chaotic = await openLocalPipeline({ out: chaoticOut, ...FAST, timeoutMs: 150 }, context, events);
    await chaotic.connectPortal();
    await planRun({ runId: RUN, targets: ALL, trigger: 'cli' }, chaotic.deps);
    clock.advance(3_600_000); // the token's hour is up while the token endpoint is throttled
    sim.setFaults({
      serverErrorRate: 0.1,
      tooManyRequestsRate: 0.05,
      slowRate: 0.03,
      slowMs: 400,
      resetRate: 0.03,
      tokenThrottleUntil: new Date(clock.now() + 5 * 60_000).toISOString(),
    });
    sim.resetStats();
    const { drained } = await chaotic.process();
    await chaotic.close();
    const stats = sim.stats();
    sim.setFaults({ serverErrorRate: 0, tooManyRequestsRate: 0, slowRate: 0, resetRate: 0, outage: false });
    const redriven = await redrive({ out: chaoticOut, ...FAST }, context);
    if (redriven !== 0) throw new Error(`the redrive did not finish cleanly (exit ${redriven})`);

    const expected = await files(cleanOut);
    const actual = await files(chaoticOut);
    const keys = new Set([...expected.keys(), ...actual.keys()]);
    const manifests = await runManifests(new FolderObjectStore(chaoticOut), RUN);
    return {
      pages: manifests.reduce((sum, m) => sum + m.pages.written, 0),
      faultedCalls: Object.values(stats.faults).reduce((a, b) => a + b, 0),
      faults: stats.faults,
      tokenThrottled: stats.tokenThrottled,
      deadLettered: drained.deadLettered,
      records: manifests.reduce((sum, m) => sum + m.records, 0),
      files: expected.size,
      mismatched: [...keys].filter((key) => expected.get(key) !== actual.get(key)),
      status: [...new Set(manifests.map((m) => m.status))],
    };
  } finally {
    await running.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
