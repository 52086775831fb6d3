import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compactExport } from '../lib/analytics/compaction.js';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { pruneRawPages } from '../lib/analytics/prune.js';
import { reportData } from '../lib/analytics/report-data.js';
import { chartJsSource, reportPage } from '../lib/analytics/report-page.js';
import { newestRun } from '../lib/cli/report-command.js';
import { newRunId } from '../lib/pipeline/keys.js';
import { planRun } from '../lib/pipeline/planner.js';
import { REPORTS } from '../lib/reports/catalog.js';
import { bench, type Bench } from './setup.js';

/** A stretch of the simulated year (a month): what a steady run stored, against the portal's size, and the changes it read. */
export interface YearMonth {
  /** the last day it covers */
  upToDay: number;
  runs: number;
  /** bytes the export grew by per run, this month, over the first run's export (the portal's size) */
  storedPerRun: number;
  /** tickets changed per run over the portal's tickets */
  changedPerRun: number;
}

export interface YearResult {
  tickets: number;
  days: number;
  runs: number;
  portalBytes: number;
  /** `query` (tickets by status) and `report` (every chart), each from a cold start, after the first run and after the year */
  first: { queryMs: number; reportMs: number };
  after: { queryMs: number; reportMs: number };
  /**
   * The same two, on a first export of the portal as it is after the year (its own folder, one run, compacted):
   * the portal grows over the year (new tickets and threads), so this parts what history costs from what growth does.
   */
  fresh: { queryMs: number; reportMs: number; portalBytes: number };
  months: YearMonth[];
  /** files in the export at the end */
  files: number;
  /** days the pages of reports read in full are kept (90, scaled with a shorter year) */
  keepDays: number;
}

const PERIOD_MS = 4 * 3_600_000;

const ALL = REPORTS.map((r) => ({ report: r.id, params: {} }));
/** Pages older than this expire (the bucket's lifecycle rule; `prune` here), as a user keeps them by default. */
const KEEP_DAYS = 90;
const YEAR_DAYS = 365;

async function sizeOf(path: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.parentPath.includes('/.queue')) continue;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
    files += 1;
  }
  return { bytes, files };
}

/** The median of five cold starts of `query` and of `report`, as a user runs them (a query takes tens of ms: three were noisy). */
async function answerTimes(folder: string): Promise<{ queryMs: number; reportMs: number }> {
  const chartJs = await chartJsSource();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const query: number[] = [];
  const report: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    let started = performance.now();
    let warehouse = await LocalWarehouse.open(folder);
    try {
      await warehouse.query('SELECT status, count(*) FROM tickets_latest GROUP BY status');
    } finally {
      warehouse.close();
    }
    query.push(performance.now() - started);
    started = performance.now();
    warehouse = await LocalWarehouse.open(folder);
    try {
      const page = reportPage(await reportData(warehouse, { generatedAt: 'bench', latestRun: await newestRun(folder) }), chartJs);
      if (!page.includes('chart-volume-by-status')) throw new Error('the year bench produced no report');
    } finally {
      warehouse.close();
    }
    report.push(performance.now() - started);
  }
  return { queryMs: median(query), reportMs: median(report) };
}

/** One run as `run` makes it: planned, read, finalized, then compacted. */
async function runOnce(setup: Bench, out: string): Promise<void> {
  const pipeline = await setup.pipeline({ out, concurrency: 25 });
  try {
    await planRun({ runId: newRunId(setup.context.clock!.now()), targets: ALL, trigger: 'schedule' }, pipeline.deps);
    const { drained } = await pipeline.process();
    if (drained.deadLettered || drained.stopped)
      throw new Error(`a run of the year did not finish cleanly: ${drained.stopped?.message ?? 'dead letters'}`);
  } finally {
    await pipeline.close();
  }
  await compactExport(out, { now: setup.context.clock!.now() });
}

/**
 * Figure 13 (issue 15): a simulated year of 4-hourly runs, time compressed (the portal's clock moves four hours a
 * run), on a portal where 2% of tickets change a day and as many tickets are deleted as created (it keeps its
 * size, as the 10,000-ticket portal), its raw pages of reports read in full expiring after 90 days. `query` and `report` after the year against after the first run; what each steady run stored against
 * the portal's size, month by month.
 */
export async function year(tickets = 1_000, days = YEAR_DAYS): Promise<YearResult> {
  // A shorter year keeps pages for as large a share of it.
  const keepDays = Math.max(1, Math.round((KEEP_DAYS * days) / YEAR_DAYS));
  // What each line of the result covers: a month of a year, a tenth of a shorter one.
  const stretchDays = days >= YEAR_DAYS ? 30 : Math.max(1, Math.round(days / 10));
  const setup = await bench({ tickets, seed: 17, dailyCredits: 1_000_000_000_000 });
  try {
    const out = join(setup.dir, 'year');
    await runOnce(setup, out);
    const portal = await sizeOf(out);
    const first = await answerTimes(out);
    const changed = Math.max(1, Math.round((tickets * 0.02) / 6));
    const arriving = Math.max(1, Math.round(changed / 4));
    const months: YearMonth[] = [];
    let monthStart = portal.bytes;
    let monthRuns = 0;
    const runs = days * 6;
    for (let run = 1; run <= runs; run += 1) {
      await setup.advance(PERIOD_MS, {
        modifiedTickets: changed,
        newThreads: changed,
        newTickets: arriving,
        // As many go to the recycle bin (and are purged from it after its 30 days): a portal of this size all year.
        deleteTickets: arriving,
        editContacts: Math.max(1, Math.round(changed / 4)),
      });
      await runOnce(setup, out);
      monthRuns += 1;
      if (run % 6 === 0) await pruneRawPages(out, { olderThanDays: keepDays, now: setup.context.clock!.now() });
      if (run % (stretchDays * 6) === 0 || run === runs) {
        const size = (await sizeOf(out)).bytes;
        months.push({
          upToDay: Math.ceil(run / 6),
          runs: monthRuns,
          storedPerRun: (size - monthStart) / monthRuns / portal.bytes,
          changedPerRun: changed / tickets,
        });
        monthStart = size;
        monthRuns = 0;
      }
    }
    const after = await answerTimes(out);
    const files = (await sizeOf(out)).files;
    const freshOut = join(setup.dir, 'fresh');
    await runOnce(setup, freshOut);
    const fresh = { ...(await answerTimes(freshOut)), portalBytes: (await sizeOf(freshOut)).bytes };
    return { tickets, days, runs, portalBytes: portal.bytes, first, after, fresh, months, files, keepDays };
  } finally {
    await setup.close();
  }
}
