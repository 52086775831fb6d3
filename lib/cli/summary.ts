import type { ReportManifest } from '../pipeline/manifest.js';
import { findReport } from '../reports/catalog.js';
import type { Output } from './output.js';
import { table } from './output.js';

export interface SummaryTotals {
  pages: number;
  records: number;
  deadLettered: number;
  /** pages that cannot be read as asked (Zoho's depth limit, a message too big): redrive cannot help */
  failed: number;
  unavailable: string[];
  credits: number;
  /** credits spent finding deletions: the recycle bin, and the full reads that reconcile reports of changes */
  deletionCredits: number;
  /** records found gone (tombstones written) */
  departed: number;
  /** records read again unchanged, not stored again */
  unchanged: number;
}

/** The end-of-run table: one row per report of each run handled, labelled by run when there are several. */
export function printSummary(out: Output, manifests: ReportManifest[], seconds: (report: string) => number): SummaryTotals {
  const totals: SummaryTotals = {
    pages: 0,
    records: 0,
    deadLettered: 0,
    failed: 0,
    unavailable: [],
    credits: 0,
    deletionCredits: 0,
    departed: 0,
    unchanged: 0,
  };
  const byRun = new Set(manifests.map((m) => m.runId)).size > 1;
  const rows = manifests.map((m) => {
    totals.pages += m.pages.written;
    totals.records += m.records;
    totals.deadLettered += m.pages.deadLettered;
    totals.failed += m.pages.failed;
    totals.credits += m.credits;
    totals.departed += m.departed ?? 0;
    totals.unchanged += m.unchanged ?? 0;
    if (m.reconcile || findReport(m.report)?.deletionFeed) totals.deletionCredits += m.credits;
    if (m.status === 'unavailable') totals.unavailable.push(m.report);
    return [
      ...(byRun ? [m.runId] : []),
      m.report,
      m.status,
      `${m.pages.written}/${m.pages.planned}`,
      m.records,
      m.pages.deadLettered,
      m.pages.failed,
      m.pages.unavailable,
      m.departed ?? 0,
      `${m.credits}${m.reconcile ? ' (reconcile)' : ''}`,
      `${seconds(m.report).toFixed(1)} s`,
    ];
  });
  if (rows.length)
    out.line(
      table(
        [...(byRun ? ['run'] : []), 'report', 'status', 'pages', 'records', 'dead-lettered', 'failed', 'unavailable', 'gone', 'credits', 'time'],
        rows,
      ),
    );
  if (rows.length && totals.credits > 0) {
    out.line(
      `Finding deleted records cost ${totals.deletionCredits} of the run's ${totals.credits} credits (recycle bin, full reads to reconcile); ${totals.departed} record(s) gone.`,
    );
  }
  if (totals.unchanged > 0) {
    out.line(`${totals.unchanged} of the ${totals.records} records read were unchanged since the last read: stored once already, not again.`);
  }
  return totals;
}

/** What to do next, after the table. */
export function printNextSteps(out: Output, totals: SummaryTotals, manifests: ReportManifest[]): void {
  for (const report of totals.unavailable) {
    const reason = manifests.find((m) => m.report === report)?.unavailable;
    out.line(`${report}: unavailable on this portal${reason ? ` (${reason.split('. ')[0]})` : ''}.`);
  }
  if (totals.failed > 0) {
    out.line(`${totals.failed} page(s) cannot be read as asked (redrive cannot help):`);
    const failed = manifests.flatMap((m) =>
      m.failures.filter((f) => f.status === 'failed').map((f) => `  ${m.report} ${f.scope}page ${f.page}: ${f.reason}`),
    );
    for (const line of failed.slice(0, 5)) out.line(line);
  }
  if (totals.deadLettered > 0) {
    const failures = manifests.flatMap((m) =>
      m.failures.filter((f) => f.status === 'dead-lettered').map((f) => `  ${m.report} ${f.scope}page ${f.page}: ${f.reason}`),
    );
    out.line(`${totals.deadLettered} page(s) are in the dead-letter queue:`);
    for (const line of failures.slice(0, 5)) out.line(line);
    // Pages dead-lettered after their retries ran out may succeed later; the rest Zoho refused as asked.
    const reasons = manifests.flatMap((m) => m.failures.filter((f) => f.status === 'dead-lettered').map((f) => f.reason));
    const retried = reasons.filter((reason) => /^failed \d+ times; /.test(reason)).length;
    if (retried > 0 || reasons.length === 0) {
      out.line('Once Zoho is healthy (or the cause is fixed), run `zoho-desk-reports redrive` to fetch them again.');
    }
    if (retried < reasons.length) {
      out.line(
        `${retried > 0 ? 'The others were' : 'They were'} set aside, not retried: Zoho refused them as asked, so waiting will not help. ` +
          "Fix what each reason names (the grant's scopes, a parameter), then run `zoho-desk-reports redrive`; " +
          'a route or report the portal does not have will fail again: `enqueue` the right one instead.',
      );
    }
  }
}
