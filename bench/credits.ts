import { newRunId } from '../lib/pipeline/keys.js';
import type { ReportManifest } from '../lib/pipeline/manifest.js';
import { planRun } from '../lib/pipeline/planner.js';
import { REPORTS } from '../lib/reports/catalog.js';
import { buildTargets } from '../lib/reports/targets.js';
import { bench, type Bench } from './setup.js';

export interface CreditsResult {
  tickets: number;
  changedPerRun: number;
  incremental: number;
  full: number;
  ratio: number;
}

/** A steady run's credits on one edition, and where they went: each report's share, most first. */
export interface SteadyCredits {
  tickets: number;
  edition: string;
  changedPerRun: number;
  credits: number;
  byReport: Array<{ report: string; credits: number; pages: number }>;
  /** what the run spent besides its pages: discovery and planning (departments, counts, the changed tickets) */
  planning: number;
  /** the day's six runs (+4 h … +24 h after the first), the last one the daily reconcile (full reads) */
  day: number[];
  /** the first run (every record, every default report): its credits, and each report's share */
  first: { credits: number; byReport: Array<{ report: string; credits: number; pages: number }> };
  /** the opt-in reports, named to a run of their own: their first run (every ticket) and a steady one after it */
  optIn: { first: Array<{ report: string; credits: number; pages: number }>; steady: Array<{ report: string; credits: number; pages: number }> };
}

const PERIOD_MS = 4 * 3_600_000;

/** Each report's credits and pages in a run, most first (a report that cost nothing left out). */
function shares(manifests: readonly ReportManifest[]): Array<{ report: string; credits: number; pages: number }> {
  return manifests
    .filter((m) => m.credits > 0)
    .map((m) => ({ report: m.report, credits: m.credits, pages: m.pages.written }))
    .sort((a, b) => b.credits - a.credits);
}
/** Changes stop this long before the next run: longer than the cursor's overlap (10 min), as most changes are. */
const QUIET_MS = 15 * 60_000;
const STEPS = 6;

/**
 * Four hours of a portal where 2% of tickets change a day (a sixth of that per period), the changes spread over
 * the period in six steps rather than all at the moment the next run starts: made at that moment, each change
 * would fall inside the next run's cursor overlap too and be read twice, which real changes seldom are (the
 * last 10 of 240 minutes). None falls in the last 15 minutes: that slightly understates the overlap's cost.
 */
export async function steadyPeriod(setup: Bench, tickets: number): Promise<number> {
  const changed = Math.max(1, Math.round((tickets * 0.02) / 6));
  const share = (total: number, step: number) => Math.floor((total * (step + 1)) / STEPS) - Math.floor((total * step) / STEPS);
  for (let step = 0; step < STEPS; step += 1) {
    await setup.advance((PERIOD_MS - QUIET_MS) / STEPS, {
      modifiedTickets: share(changed, step),
      newThreads: share(changed, step),
      newTickets: share(Math.max(1, Math.round(changed / 4)), step),
    });
  }
  await setup.advance(QUIET_MS, {});
  return changed;
}

/**
 * Figure 2b (issue 15): a steady 4-hourly run's credits on an edition (Free: 5,000 a day, so six runs within half
 * of it is 416 a run), each report's share of them — where to cut —, and the whole first day after the first run,
 * its daily reconcile (the full reads that find deletions the recycle bin misses) included.
 */
export async function steadyCredits(tickets = 10_000, edition = 'free'): Promise<SteadyCredits> {
  const setup = await bench({ tickets, seed: 11, dailyCredits: 1_000_000_000, edition });
  try {
    const first = await runAll(setup);
    // The second steady run: the first after the first run may still read what the first run's overlap holds.
    await steadyPeriod(setup, tickets);
    const day = [(await runAll(setup, first.folder)).credits];
    const changedPerRun = await steadyPeriod(setup, tickets);
    const steady = await runAll(setup, first.folder);
    day.push(steady.credits);
    const byReport = shares(steady.manifests);
    const planning = steady.credits - byReport.reduce((sum, r) => sum + r.credits, 0);
    // The rest of the first day: the run 24 hours after the first is the reconcile.
    while (day.length < 6) {
      await steadyPeriod(setup, tickets);
      day.push((await runAll(setup, first.folder)).credits);
    }
    // The opt-in reports, named: their first run reads every ticket's, a steady run the changed tickets'.
    const optInFirst = await runAll(setup, first.folder, OPT_IN);
    await steadyPeriod(setup, tickets);
    const optInSteady = await runAll(setup, first.folder, OPT_IN);
    return {
      tickets,
      edition,
      changedPerRun,
      credits: steady.credits,
      byReport,
      planning,
      day,
      first: { credits: first.credits, byReport: shares(first.manifests) },
      optIn: { first: shares(optInFirst.manifests), steady: shares(optInSteady.manifests) },
    };
  } finally {
    await setup.close();
  }
}

/** A default run: every report but the opt-in ones. */
const ALL = buildTargets([]);
/** The opt-in reports, with the tickets (what they hang on). */
const OPT_IN = buildTargets(['tickets', ...REPORTS.filter((r) => r.optIn).map((r) => r.id)]);

/** One run of every report (or of `targets`) into a folder; the credits it cost, from the simulator's own meter. */
export async function runAll(setup: Bench, out?: string, targets = ALL): Promise<{ credits: number; folder: string; manifests: ReportManifest[] }> {
  const before = (await setup.stats()).creditsSpent;
  const pipeline = await setup.pipeline(out ? { out, concurrency: 25 } : { concurrency: 25 });
  await planRun({ runId: newRunId(setup.context.clock!.now()), targets, trigger: 'schedule' }, pipeline.deps);
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
    const changedPerRun = await steadyPeriod(setup, tickets);
    const incremental = await runAll(setup, first.folder);
    const full = await runAll(setup);
    return { tickets, changedPerRun, incremental: incremental.credits, full: full.credits, ratio: incremental.credits / full.credits };
  } finally {
    await setup.close();
  }
}
