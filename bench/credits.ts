import { newRunId } from '../lib/pipeline/keys.js';
import type { ReportManifest } from '../lib/pipeline/manifest.js';
import { planRun } from '../lib/pipeline/planner.js';
import { REPORTS } from '../lib/reports/catalog.js';
import { bench, type Bench } from './setup.js';

export interface CreditsResult {
  tickets: number;
  changedPerRun: number;
  incremental: number;
  full: number;
  ratio: number;
}

const ALL = REPORTS.map((r) => ({ report: r.id, params: {} }));

/** One run of every report into a folder; the credits it cost, from the simulator's own meter. */
export async function runAll(setup: Bench, out?: string): Promise<{ credits: number; folder: string; manifests: ReportManifest[] }> {
  const before = (await setup.stats()).creditsSpent;
  const pipeline = await setup.pipeline(out ? { out, concurrency: 25 } : { concurrency: 25 });
  await planRun({ runId: newRunId(setup.context.clock!.now()), targets: ALL, trigger: 'schedule' }, pipeline.deps);
  const { drained, manifests } = await pipeline.process();
  await pipeline.close();
  if (drained.deadLettered || drained.stopped)
    throw new Error(`the run did not finish cleanly: ${drained.stopped?.message ?? `${drained.deadLettered} dead-lettered`}`);
  return { credits: (await setup.stats()).creditsSpent - before, folder: pipeline.folder, manifests };
}

/**
 * Figure 2: a steady-state 4-hourly run (2% of tickets changing per day: a sixth of that per run) against a
 * full refresh of the same reports on the same data — what connectors that re-read everything spend.
 */
export async function credits(tickets = 10_000): Promise<CreditsResult> {
  const setup = await bench({ tickets, seed: 11, dailyCredits: 1_000_000_000 });
  try {
    const first = await runAll(setup);
    const changedPerRun = Math.max(1, Math.round((tickets * 0.02) / 6));
    await setup.advance(4 * 3_600_000, {
      modifiedTickets: changedPerRun,
      newThreads: changedPerRun,
      newTickets: Math.max(1, Math.round(changedPerRun / 4)),
    });
    const incremental = await runAll(setup, first.folder);
    const full = await runAll(setup);
    return { tickets, changedPerRun, incremental: incremental.credits, full: full.credits, ratio: incremental.credits / full.credits };
  } finally {
    await setup.close();
  }
}
