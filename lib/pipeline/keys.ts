import { randomBytes } from 'node:crypto';

/**
 * The storage layout (design.md §4). Keys are deterministic: a redelivered or redriven page writes the very
 * same key, so nothing duplicates.
 *
 *   <report>/dt=<YYYY-MM-DD>/org=<orgId>/run=<runId>/<scope>page-<NNNNN>.jsonl   one record per line
 *   <report>/dt=<YYYY-MM-DD>/org=<orgId>/run=<runId>/_manifest.json              pages planned / written / failed …
 *   _state/org=<orgId>/<report>.json                                             cursor of the last successful run
 *   _state/layout.json                                                           the layout's version (portals.ts)
 *   _runs/<runId>/run.json                                           what the run was asked to do
 *   _runs/<runId>/pages/<report>/<scope, / as ~>page-<NNNNN>.json    one receipt per page (manifests derive from them)
 *   _runs/<runId>/planned/<NNNNNN>.jsonl                             pages the planner queued together, as planned
 *   _runs/<runId>/receipts/<report>.jsonl.gz                         a finished run's receipts, folded: one gzipped object a report
 *   _runs/<runId>/plan-checkpoint.json                               how far a planning in parts got (while it goes on)
 *
 * Receipts live outside the report folders, so query engines reading `<report>/` see only data. Every portal
 * (Zoho org) has its own `org=` folder and its own state, so two portals never share a key or a cursor; the
 * portal sits below the day so the tables' day partitions stay as they were. Exports written before portals
 * (no `org=` folder, `_state/<report>.json`) are read as they are: see portals.ts.
 */

export const RUN_ID = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z-([0-9a-f]{4})$/;

/** "2026-11-24T12-00-00Z-4f2a": sortable, readable, and safe in a key. */
export function newRunId(now: number, suffix = randomBytes(2).toString('hex')): string {
  return `${new Date(now).toISOString().slice(0, 19).replaceAll(':', '-')}Z-${suffix}`;
}

export function runDate(runId: string): string {
  const match = RUN_ID.exec(runId);
  if (!match) throw new Error(`not a run id: ${runId}`);
  return match[1] as string;
}

export function runStartedAt(runId: string): string {
  const match = RUN_ID.exec(runId);
  if (!match) throw new Error(`not a run id: ${runId}`);
  return `${match[1]}T${match[2]}:${match[3]}:${match[4]}.000Z`;
}

/** "ticket=1329…/" for fanned-out reports, "" for plain ones. */
export type Scope = string;

export function pageName(page: number): string {
  return `page-${String(page).padStart(5, '0')}`;
}

/**
 * "org=<id>/": a portal's folder. A run whose portal is unknown (its planning failed before Zoho answered) has
 * none, as everything written before portals.
 */
export function orgFolder(orgId: string | undefined): string {
  return orgId ? `org=${orgId}/` : '';
}

export function runFolder(report: string, runId: string, orgId: string | undefined): string {
  return `${report}/dt=${runDate(runId)}/${orgFolder(orgId)}run=${runId}/`;
}

export function pageKey(report: string, runId: string, orgId: string | undefined, scope: Scope, page: number): string {
  return `${runFolder(report, runId, orgId)}${scope}${pageName(page)}.jsonl`;
}

export function manifestKey(report: string, runId: string, orgId: string | undefined): string {
  return `${runFolder(report, runId, orgId)}_manifest.json`;
}

export const STATE_PREFIX = '_state/';

/** A portal's state folder: its reports' cursors, the keys of their last complete reads. */
export function stateFolder(orgId: string | undefined): string {
  return `${STATE_PREFIX}${orgFolder(orgId)}`;
}

export function stateKey(orgId: string | undefined, report: string): string {
  return `${stateFolder(orgId)}${report}.json`;
}

export function runRecordKey(runId: string): string {
  return `_runs/${runId}/run.json`;
}

/** The pages the planner queued together, one planned receipt per line (a page's own receipt supersedes it). */
export function plannedBatchPrefix(runId: string): string {
  return `_runs/${runId}/planned/`;
}

export function plannedBatchKey(runId: string, batch: number): string {
  return `${plannedBatchPrefix(runId)}${String(batch).padStart(6, '0')}.jsonl`;
}

/** How far a run's planning got when a part of it stopped before its deadline; removed once the run is planned. */
export function planCheckpointKey(runId: string): string {
  return `_runs/${runId}/plan-checkpoint.json`;
}

/** The number of the last batch of planned receipts among these keys (0: none). */
export function lastPlannedBatch(keys: readonly string[]): number {
  return keys.reduce((last, key) => Math.max(last, Number(/\/(\d+)\.jsonl$/.exec(key)?.[1] ?? 0)), 0);
}

/**
 * A finished run's receipts of one report, one per line, folded from its page receipts when it was finalized:
 * gzipped, as they are kept every run for good and are mostly ids that share their digits (a tenth the size).
 */
export function foldedReceiptsKey(runId: string, report: string): string {
  return `${foldedReceiptsPrefix(runId)}${report}${FOLDED_SUFFIX}`;
}

export const FOLDED_SUFFIX = '.jsonl.gz';

/** Where runs finalized before folded receipts were gzipped keep them (read as they are). */
export function plainFoldedReceiptsKey(runId: string, report: string): string {
  return `${foldedReceiptsPrefix(runId)}${report}.jsonl`;
}

export function foldedReceiptsPrefix(runId: string): string {
  return `_runs/${runId}/receipts/`;
}

export function receiptPrefix(runId: string): string {
  return `_runs/${runId}/pages/`;
}

/**
 * A page's receipt, its scope's folders flattened ("ticket=1329…~page-00001.json"): one folder a report, not one
 * a ticket, so writing and removing a first run's receipts is not a folder each. No scope holds a "~" (route
 * params are %-encoded, route segments are letters, digits, "_" and "-"). Receipts written before (a folder per
 * scope) are still read: see receipts.ts.
 */
export function receiptKey(report: string, runId: string, scope: Scope, page: number): string {
  return `${receiptPrefix(runId)}${report}/${scope.replaceAll('/', SCOPE_SEPARATOR)}${pageName(page)}.json`;
}

export const SCOPE_SEPARATOR = '~';
