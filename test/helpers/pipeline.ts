import type { CliContext } from '../../lib/cli/context.js';
import { openLocalPipeline, type LocalOptions, type LocalPipeline } from '../../lib/cli/local-pipeline.js';
import type { Clock } from '../../lib/ports.js';
import type { Target } from '../../lib/pipeline/messages.js';
import { planRun } from '../../lib/pipeline/planner.js';
import { REPORTS } from '../../lib/reports/catalog.js';
import { capture } from './capture.js';
import type { Fixture } from './zoho.js';

export const FAST_RETRY = { baseMs: 1, capMs: 5 };
export const FAST_CLIENT_RETRY = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
/** Local pipeline options for tests: quick retries everywhere. */
export const FAST = { retry: FAST_RETRY, clientRetry: FAST_CLIENT_RETRY };

/** A CLI context whose Zoho is the fixture's simulator and whose secret is the fixture's secret file. */
export function contextFor(fixture: Fixture, clock?: Clock): CliContext & { out: ReturnType<typeof capture> } {
  return { env: { ...fixture.env, ZOHO_SECRET_ID: fixture.store.path }, out: capture(), ...(clock && { clock }) };
}

export async function openPipeline(fixture: Fixture, out: string, options: LocalOptions = {}, clock?: Clock): Promise<LocalPipeline> {
  const pipeline = await openLocalPipeline({ out, ...FAST, ...options }, contextFor(fixture, clock));
  await pipeline.connectPortal();
  return pipeline;
}

export const ALL_REPORTS: Target[] = REPORTS.map((r) => ({ report: r.id, params: {} }));

/** Plans a run with a chosen run id and processes it to the end (or until `stopAfter` messages). */
export async function runOnce(
  fixture: Fixture,
  out: string,
  runId: string,
  targets: Target[] = ALL_REPORTS,
  options: { stopAfter?: number; clock?: Clock } = {},
) {
  const pipeline = await openPipeline(fixture, out, {}, options.clock);
  try {
    await planRun({ runId, targets, trigger: 'cli' }, pipeline.deps);
    return await pipeline.process(options.stopAfter === undefined ? {} : { stopAfter: options.stopAfter });
  } finally {
    await pipeline.close();
  }
}
