import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import type { PipelineEvent } from '../lib/pipeline/deps.js';
import { newRunId } from '../lib/pipeline/keys.js';
import { planRun } from '../lib/pipeline/planner.js';
import { EDITION_LIMITS, type Edition } from '../lib/zoho/editions.js';
import { bench } from './setup.js';

export interface PortalsResult {
  /** the large portal's tickets (a threads page each) and the small one's */
  backlog: number;
  small: number;
  latencyMs: number;
  /** the small portal's threads run alone, from planning to its last page */
  aloneMs: number;
  /** the same run planned after the large portal's whole backlog was queued, to its last page */
  sharedMs: number;
  /** sharedMs / aloneMs: at most 2 means the backlog delayed it by no more than its own fetch time */
  ratio: number;
  /** how long the large portal's backlog took to read */
  backlogMs: number;
  /** the most calls at once each portal's Zoho saw, and its edition's limit */
  maxInFlight: Array<{ edition: string; most: number; limit: number; rejected: number }>;
}

const THREADS = [{ report: 'threads', params: {} }];

/**
 * Figure 12: two portals on one queue. A Professional portal's first threads run (a page per ticket) is queued
 * whole; then a Standard portal's small one. Each portal keeps to its own concurrent calls and the queue takes
 * the portals' pages in turn, so the small run takes about what it takes alone, not the backlog's time.
 */
export async function portals(backlog = 3_000, small = 150, latencyMs = 50): Promise<PortalsResult> {
  const setup = await bench({ tickets: backlog, seed: 9, latencyMs, edition: 'professional', portals: [`standard:${small}`] });
  try {
    const listed = (await (await fetch(`${setup.url}/_sim/portals`)).json()) as Array<{ orgId: string; edition: string }>;
    const [, other] = listed as [unknown, { orgId: string }];
    const secretId = `zoho_auth_${other.orgId}`;
    const clock = setup.context.clock!;
    const smallRun = async (withBacklog: boolean) => {
      let last = 0;
      let runId = '';
      const events = (event: PipelineEvent) => {
        if (event.type === 'page' && event.runId === runId) last = performance.now();
      };
      const pipeline = await openLocalPipeline({ out: `${setup.dir}/${withBacklog ? 'shared' : 'alone'}`, reserve: '0' }, setup.context, events);
      try {
        await pipeline.connectPortal();
        await pipeline.connectPortal(secretId);
        if (withBacklog) await planRun({ runId: newRunId(clock.now()), targets: THREADS, trigger: 'cli' }, pipeline.deps);
        runId = newRunId(clock.now());
        const started = performance.now();
        await planRun({ runId, targets: THREADS, trigger: 'cli', secretId }, pipeline.deps);
        await pipeline.process();
        return { ms: last - started, total: performance.now() - started };
      } finally {
        await pipeline.close();
      }
    };
    const alone = await smallRun(false);
    await fetch(`${setup.url}/_sim/reset-stats`, { method: 'POST' });
    await fetch(`${setup.url}/_sim/reset-stats?org=${other.orgId}`, { method: 'POST' });
    const shared = await smallRun(true);
    const maxInFlight = await Promise.all(
      listed.map(async ({ orgId, edition }) => {
        const stats = (await (await fetch(`${setup.url}/_sim/stats?org=${orgId}`)).json()) as {
          maxConcurrency: number;
          concurrencyRejections: number;
        };
        const limit = EDITION_LIMITS[edition as Edition].concurrency;
        return { edition, most: stats.maxConcurrency, limit, rejected: stats.concurrencyRejections };
      }),
    );
    return { backlog, small, latencyMs, aloneMs: alone.ms, sharedMs: shared.ms, ratio: shared.ms / alone.ms, backlogMs: shared.total, maxInFlight };
  } finally {
    await setup.close();
  }
}
