import { compactExport } from '../analytics/compaction.js';
import { ConfigError } from '../errors.js';
import { describeEstimate, estimateCredits } from '../pipeline/estimate.js';
import { newRunId } from '../pipeline/keys.js';
import { warn } from '../pipeline/deps.js';
import { readRunRecord } from '../pipeline/manifest.js';
import { planRun, type PlanResult } from '../pipeline/planner.js';
import { finalizeRecentRuns } from '../pipeline/recent-runs.js';
import type { Portal } from '../zoho/portal.js';
import type { CliContext } from './context.js';
import { openLocalPipeline, type LocalOptions, type LocalPipeline } from './local-pipeline.js';
import { EXIT_CODES } from './output.js';
import { RunProgress } from './progress.js';
import { printQuarantined } from './quarantine.js';
import { printNextSteps, printSummary } from './summary.js';
import { buildTargets, parseParamFlags } from '../reports/targets.js';

export interface RunOptions extends LocalOptions {
  param?: string[];
  /** further portals, by secretId (the secret file <id>.json beside the default secret), into the same folder */
  portal?: string[];
}

export interface ProcessOptions {
  /** stop after this many messages (tests' interruption) */
  stopAfter?: number;
  /** the runs this command is planning (one a portal): their pages are read as they are planned, and they are reported even with none */
  plans?: Array<{ runId: string; planning: Promise<PlanResult> }>;
}

/** Drains the local queue with progress, prints the summary, and says what the exit code means. */
export async function processAndReport(
  pipeline: LocalPipeline,
  progress: RunProgress,
  context: CliContext,
  options: ProcessOptions = {},
): Promise<number> {
  const started = Date.now();
  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.once('SIGINT', interrupt);
  const { stopAfter, plans = [] } = options;
  let result;
  let planned: PlanResult[] = [];
  try {
    // Planning that fails stops the reading too: the error is the command's, and the queued pages wait for `run`.
    const planning = Promise.all(plans.map((plan) => plan.planning));
    planning.catch(() => abort.abort());
    result = await pipeline.process({
      signal: abort.signal,
      ...(stopAfter !== undefined && { stopAfter }),
      ...(plans.length && { runIds: plans.map((plan) => plan.runId), planning }),
    });
    planned = await planning;
  } finally {
    process.off('SIGINT', interrupt);
    progress.stop();
  }
  const extraCredits = planned.reduce((sum, plan) => sum + plan.discoveryCredits, 0);
  const { drained, manifests } = result;
  const out = context.out;
  const totals = printSummary(out, manifests, (report) => progress.seconds(report));
  out.line(
    `${totals.pages} pages, ${totals.records} records, ${totals.credits + extraCredits} credits` +
      `${extraCredits ? ` (${extraCredits} for discovery)` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s → ${pipeline.store.root}`,
  );
  printNextSteps(out, totals, manifests);
  for (const reason of drained.rejected.slice(0, 5)) out.line(`A message was dead-lettered as ${reason}.`);
  for (const warning of progress.warnings) out.line(`Warning: ${warning}`);
  printQuarantined(out, pipeline.store.root, pipeline.queue.quarantined);
  const cutShort = await runsCutShort(pipeline, [...drained.runIds]);
  if (drained.stopped) {
    const depths = await pipeline.queue.depths();
    const waiting = depths.visible + depths.delayed + depths.inFlight;
    if (waiting)
      out.line(
        `Stopped with ${waiting} message(s) still queued (not dead-lettered): \`zoho-desk-reports run\` finishes them once the cause below is fixed.`,
      );
    throw drained.stopped;
  }
  if (drained.interrupted) {
    const depths = await pipeline.queue.depths();
    out.line(`Stopped with ${depths.visible + depths.delayed} message(s) still queued: run \`zoho-desk-reports run\` again to finish them.`);
    return EXIT_CODES.interrupted;
  }
  if (cutShort.length) {
    out.line(
      `Run ${cutShort.join(', ')} was interrupted while it was being planned: its queued pages are stored, but it does not cover ` +
        "everything it was asked for, and its reports' cursors did not move. Run `zoho-desk-reports run` again to read everything.",
    );
    return EXIT_CODES.interrupted;
  }
  if (totals.deadLettered > 0 || drained.deadLettered > 0) return EXIT_CODES['dead-lettered'];
  return totals.failed > 0 ? EXIT_CODES.failed : 0;
}

/** The runs among these whose planning never finished. */
async function runsCutShort(pipeline: LocalPipeline, runIds: string[]): Promise<string[]> {
  const cut: string[] = [];
  for (const runId of runIds.sort()) if ((await readRunRecord(pipeline.store, runId))?.status === 'failed') cut.push(runId);
  return cut;
}

/**
 * Brings earlier runs up to date before a new one reads their cursors: a run whose last page was stored just
 * before its process stopped is finalized now; one stopped while planning is marked failed (this process
 * holds the queue's lock, so nobody else is planning).
 */
async function finishEarlierRuns(pipeline: LocalPipeline, context: CliContext): Promise<void> {
  const { abandoned } = await finalizeRecentRuns(pipeline.store, {
    now: (context.clock ?? { now: Date.now }).now(),
    warn: (message) => warn(pipeline.deps, message),
    planningTimeoutMs: 0,
  });
  for (const { runId } of abandoned) {
    context.out.line(`Run ${runId} was interrupted while it was being planned: it is incomplete, and its cursors did not move.`);
  }
}

/**
 * Portals share a folder, each in its own org= folder; the bundled simulator's never shares one with a real
 * portal: its made-up tickets would sit in your tables beside your own.
 */
async function assertNoSimulatorMix(pipeline: LocalPipeline, simulated: boolean): Promise<void> {
  // The newest run that reached a portal decides: this check keeps a folder to one kind or the other.
  for (const runId of (await pipeline.store.folders('_runs/')).reverse().slice(0, 50)) {
    const run = await readRunRecord(pipeline.store, runId);
    if (!run?.orgId) continue;
    if (Boolean(run.simulated) === simulated) return;
    throw new ConfigError(
      simulated
        ? `${pipeline.store.root}/ holds your portal ${run.orgId}'s reports: \`run --simulate\` writes the bundled simulator's made-up portal elsewhere, with --out DIR.`
        : `${pipeline.store.root}/ holds the bundled simulator's made-up portal ${run.orgId} (from \`run --simulate\`): give your portal a folder of its own with --out DIR, or delete ${pipeline.store.root}/ first.`,
    );
  }
}

/** Messages queued and not yet handled: an interrupted run's pages, `enqueue --later` messages. */
export async function waitingMessages(pipeline: LocalPipeline): Promise<number> {
  const depths = await pipeline.queue.depths();
  return depths.visible + depths.delayed;
}

/**
 * After a run: each report's current state compacted (analytics/compaction.ts), so the latest views read that and
 * the pages of later runs alone. `full`: from every page (after a redrive, whose pages may land in runs a
 * generation already covers).
 */
export async function compactAfter(pipeline: LocalPipeline, context: CliContext, full = false): Promise<void> {
  const now = (context.clock ?? { now: Date.now }).now();
  const results = await compactExport(pipeline.store.root, { now, ...(full ? { full } : {}) });
  const written = results.filter((r) => !r.unchanged);
  if (written.length) {
    const rows = written.reduce((sum, r) => sum + (r.rows ?? 0), 0);
    context.out.line(
      `Compacted ${written.length} report(s) into ${pipeline.store.root}/current/ (${rows} rows): the latest views read that and later pages.`,
    );
  }
}

/** Of two commands' exit codes, the one that asks more of the user (0 only when both are 0). */
const worse = (a: number, b: number) => (a === 0 ? b : b === 0 ? a : Math.max(a, b));

/**
 * `run [report…]`: the whole pipeline on this machine — plan, queue, fetch each page, store, manifests.
 * Pages still queued (an interrupted run, `enqueue --later`) are finished first, with a table of their own,
 * so the new run plans from the cursors they moved.
 */
export async function runReports(reportIds: string[], options: RunOptions & { stopAfter?: number }, context: CliContext): Promise<number> {
  // The simulator costs no credits: `run --simulate` shows every report, the opt-in ones too.
  const targets = buildTargets(reportIds, parseParamFlags(options.param), { optIn: Boolean(options.simulate) });
  const progress = new RunProgress(process.stderr.isTTY === true && !context.env.CI, Date.now, (text) => context.out.line(text));
  const pipeline = await openLocalPipeline(options, context, progress.onEvent);
  try {
    // Every portal checked before anything is queued: a wrong secret stops the command, not half of a run.
    const secretIds = [undefined, ...new Set(options.portal ?? [])];
    const portals: Portal[] = [];
    for (const secretId of secretIds) portals.push(await pipeline.connectPortal(secretId));
    const out = context.out;
    if (pipeline.simulator) out.line(`Simulated Zoho Desk on ${pipeline.simulator.url} (no Zoho account needed).`);
    for (const [i, portal] of portals.entries()) {
      const secret = secretIds[i] ? ` through secret ${secretIds[i]}` : '';
      out.line(`Portal ${portal.name} (org ${portal.orgId}, edition ${portal.editionName})${secret}, writing to ${pipeline.store.root}/.`);
    }
    await assertNoSimulatorMix(pipeline, Boolean(options.simulate));
    const twice = portals.find((portal, i) => portals.findIndex((p) => p.orgId === portal.orgId) !== i);
    if (twice) throw new ConfigError(`Two of the secrets given are for the same portal (org ${twice.orgId}): give each portal once.`);
    await finishEarlierRuns(pipeline, context);
    let earlier = 0;
    const waiting = await waitingMessages(pipeline);
    if (waiting > 0) {
      out.line(`Finishing ${waiting} queued message(s) first (an interrupted run, or \`enqueue --later\`), then planning a new run.`);
      earlier = await processAndReport(pipeline, progress, context);
      // Interrupted, or pages still queued: the new run would read cursors those pages have not moved yet.
      if (earlier === EXIT_CODES.interrupted) return earlier;
      progress.restart();
    }
    // A run a portal, planned side by side; pages are read as discovery finds them, each portal's in turn.
    const now = (context.clock ?? { now: Date.now }).now();
    const meters = await Promise.all(secretIds.map(async (secretId) => (await pipeline.deps.zoho(secretId)).desk.credits));
    const plans = secretIds.map((secretId, i) => {
      const meter = meters[i] as (typeof meters)[number];
      const spentBefore = meter.spent;
      const runId = newRunId(now);
      const of = secretIds.length > 1 ? ` of portal ${portals[i]?.orgId}` : '';
      out.line(`Run ${runId}${of}: planning ${targets.length} report(s), reading each page as it is planned.`);
      const request = {
        runId,
        targets,
        trigger: 'cli' as const,
        ...(secretId ? { secretId } : {}),
        ...(options.simulate ? { simulated: true } : {}),
      };
      const planning = planRun(request, pipeline.deps).then((plan) => {
        // Once planned (its pages are read meanwhile): what the run costs, and over how many days at the pool's pace.
        const estimate = estimateCredits(plan.planned, meter, meter.spent - spentBefore);
        const cost = describeEstimate(estimate);
        progress.say(
          plan.continues
            ? `Run ${runId}: ${estimate.pages} pages planned so far for ${targets.length} report(s) (${cost}); planning continuing from the queue.`
            : `Run ${runId}: ${estimate.pages} pages planned for ${targets.length} report(s): ${cost}.`,
        );
        return plan;
      });
      return { runId, planning };
    });
    const code = await processAndReport(pipeline, progress, context, {
      ...(options.stopAfter !== undefined && { stopAfter: options.stopAfter }),
      plans,
    });
    if (code !== EXIT_CODES.interrupted) await compactAfter(pipeline, context);
    return worse(earlier, code);
  } finally {
    progress.stop();
    await pipeline.close();
  }
}
