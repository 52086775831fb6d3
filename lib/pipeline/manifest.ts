import type { ObjectStore } from '../ports.js';
import { findReport, REPORTS } from '../reports/catalog.js';
import { FUTURE_CURSOR_TOLERANCE_MS } from './cursor.js';
import { adoptPortalLayout } from './portals.js';
import { manifestKey, runRecordKey, runStartedAt, stateKey } from './keys.js';
import { foldReport, RunReceipts } from './receipts.js';
import { binDepartures, reportDepartures } from './tombstones.js';
import { noteUnavailable } from './unavailable.js';
import { readChecked, readRecord, reportStateSchema, runRecordSchema, type Receipt, type ReportState, type RunRecord } from './records.js';

export type { Receipt, ReportState, RunRecord } from './records.js';

/**
 * Run manifests, derived from the page receipts (so no update is ever lost), and the per-report state
 * cursor, which moves only when a run read everything the cursor stands for: every page of the report's
 * default scope stored, in a run whose planning finished.
 */

export type ReportStatus = 'complete' | 'incomplete' | 'failed' | 'unavailable';

export interface ReportManifest {
  report: string;
  runId: string;
  status: ReportStatus;
  /** `failed` pages can never be read as asked; `pastDepth` of them because of Zoho's depth limit */
  pages: { planned: number; written: number; deadLettered: number; failed: number; pastDepth: number; unavailable: number; pending: number };
  records: number;
  credits: number;
  /** pages that were not stored and why (the first 20): dead-lettered, or failed for good */
  failures: Array<{ scope: string; page: number; status: 'dead-lettered' | 'failed'; reason: string }>;
  /** why the report is unavailable, when it is */
  unavailable?: string;
  /** what finalizing did to the report's cursor, and why */
  cursor?: { moved: boolean; note: string };
  /** records this run found gone from the report (tombstones: recycle bin, or absent from a complete read) */
  departed?: number;
  /** of `records`, those read again unchanged since the last read: dropped from the run's pages, stored once already */
  unchanged?: number;
  /** this run read the report in full to reconcile deletions: its credits are delete detection */
  reconcile?: true;
}

export function summarise(report: string, runId: string, receipts: Receipt[]): ReportManifest {
  const count = (status: Receipt['status']) => receipts.filter((r) => r.status === status).length;
  const pages = {
    planned: receipts.length,
    written: count('written'),
    deadLettered: count('dead-lettered'),
    failed: count('failed'),
    pastDepth: receipts.filter((r) => r.status === 'failed' && r.cause === 'depth').length,
    unavailable: count('unavailable'),
    pending: count('planned'),
  };
  const status: ReportStatus =
    pages.pending > 0
      ? 'incomplete'
      : pages.deadLettered + pages.failed > 0
        ? 'failed'
        : pages.written === 0 && pages.unavailable > 0
          ? 'unavailable'
          : 'complete';
  const manifest: ReportManifest = {
    report,
    runId,
    status,
    pages,
    records: receipts.reduce((sum, r) => sum + (r.records ?? 0), 0),
    credits: receipts.reduce((sum, r) => sum + (r.credits ?? 0), 0),
    failures: [
      ...receipts.filter((r) => r.status === 'failed').slice(0, 20),
      ...receipts.filter((r) => r.status === 'dead-lettered').slice(0, 20),
    ].map((r) => ({ scope: r.scope, page: r.page, status: r.status as 'dead-lettered' | 'failed', reason: r.reason ?? 'unknown' })),
  };
  const unavailable = receipts.find((r) => r.status === 'unavailable')?.reason;
  if (unavailable) manifest.unavailable = unavailable;
  return manifest;
}

const ignore = () => undefined;

/**
 * A run's record, checked. Given `warn` (a writer: finalizing, planning), an invalid record is quarantined
 * and named; without it (`status`, which only reads), it is read as absent and left where it is.
 */
export async function readRunRecord(store: ObjectStore, runId: string, warn?: (message: string) => void): Promise<RunRecord | undefined> {
  if (warn) return readChecked(store, runRecordKey(runId), runRecordSchema, warn);
  const result = await readRecord(store, runRecordKey(runId), runRecordSchema);
  return result.kind === 'valid' ? result.value : undefined;
}

/** Whether the run's planning finished: until then (or when it failed) no report of it is complete. */
const planningDone = (run: RunRecord | undefined) => run === undefined || run.status === 'planned' || run.status === 'finished';

/** The reports a run covers: those it asked for (a report planned with no pages included) and those with receipts. */
const reportsOf = (run: RunRecord | undefined, receipts: RunReceipts) =>
  [...new Set([...(run?.requests ?? []).map((r) => r.report), ...receipts.reports])].sort();

function manifestOf(report: string, runId: string, receipts: Receipt[], run: RunRecord | undefined): ReportManifest {
  const manifest = summarise(report, runId, receipts);
  return planningDone(run) || manifest.status !== 'complete' ? manifest : { ...manifest, status: 'incomplete' };
}

/** Every report's manifest for a run, computed from its receipts now, a report at a time. */
export async function runManifests(store: ObjectStore, runId: string): Promise<ReportManifest[]> {
  const run = await readRunRecord(store, runId);
  const receipts = await RunReceipts.open(store, runId);
  const manifests: ReportManifest[] = [];
  for (const report of reportsOf(run, receipts)) manifests.push(manifestOf(report, runId, await receipts.of(report), run));
  return manifests;
}

/** The ids in the scopes ("ticket=<id>/") of a report's pages: those read, and those that held records. */
function parentsOf(receipts: Receipt[], report: string, withRecords: boolean): string[] {
  const mine = receipts.filter((r) => r.report === report && (!withRecords || (r.records ?? 0) > 0));
  return [...new Set(mine.map((r) => /=(\d+)\//.exec(r.scope)?.[1]).filter((id): id is string => Boolean(id)))];
}

/**
 * The parents to read again (tickets with pending approvals), the longest unread first: those of the last state
 * this run did not read (still pending as far as anyone knows), then those whose pages held records now.
 */
function carriedParents(receipts: Receipt[], report: string, previous: ReportState | undefined): string[] {
  const read = new Set(parentsOf(receipts, report, false));
  const kept = (previous?.parents ?? []).filter((id) => !read.has(id));
  return [...new Set([...kept, ...parentsOf(receipts, report, true)])];
}

export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const text = await store.get(key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

export const writeJson = (store: ObjectStore, key: string, value: unknown) =>
  store.put(key, `${JSON.stringify(value, null, 2)}\n`, 'application/json');

export interface FinalizeOptions {
  /** this machine's time: no cursor is ever set later than it */
  now?: number;
  /** where a warning about an invalid or future state goes */
  warn?: (message: string) => void;
}

/** Whether a complete report of this run may move its cursor, and to when; otherwise why not. */
type CursorDecision = { move: true; cursor: string; note: string } | { move: false; note: string };

function cursorFor(run: RunRecord | undefined, runId: string, manifest: ReportManifest): CursorDecision {
  if (!findReport(manifest.report)) return { move: false, note: 'a route export has no cursor' };
  if (!run) return { move: false, note: 'cursor kept: the run has no valid run record (it was not planned here)' };
  if (run.status === 'planning' || run.status === 'failed') return { move: false, note: "cursor kept: the run's planning did not finish" };
  const request = run.requests.find((r) => r.report === manifest.report);
  if (!request) return { move: false, note: 'cursor kept: the run did not ask for this report' };
  const { pending, deadLettered, unavailable, failed, pastDepth } = manifest.pages;
  if (pending + deadLettered + unavailable + (failed - pastDepth) > 0) {
    return { move: false, note: `cursor kept: the report is ${unavailable > 0 && pending + deadLettered === 0 ? 'unavailable' : manifest.status}` };
  }
  const narrowed = Object.entries(request.params).map(([name, value]) => `${name}=${value}`);
  if (narrowed.length) {
    return { move: false, note: `cursor kept: this run read only ${narrowed.join(', ')}, not everything the cursor stands for` };
  }
  const readUpTo = [run.startedAt, run.cursorAt ?? run.startedAt, runStartedAt(runId)].sort()[0] as string;
  // A page past Zoho's depth limit can never be read: it is reported in `failures`, and holding the cursor for
  // it would only make every later run read more and fail the same way.
  return {
    move: true,
    cursor: readUpTo,
    note: pastDepth > 0 ? `, although ${pastDepth} page(s) past Zoho's depth limit could not be read (see failures)` : '',
  };
}

/**
 * Writes each report's _manifest.json for the run, marks the run finished when nothing is pending, and moves
 * the state cursor of every report the run read in full (see `cursorFor`). Never backwards, never past `now`;
 * a cursor found in the future is replaced. Safe to call any number of times.
 */
export async function finalizeRun(store: ObjectStore, runId: string, options: FinalizeOptions = {}): Promise<ReportManifest[]> {
  const now = options.now ?? Date.now();
  const warn = options.warn ?? ignore;
  const run = await readRunRecord(store, runId, warn);
  // A run planned before the upgrade, finalized after it: its portal's states are where this version reads them.
  if (run?.orgId) await adoptPortalLayout(store, { orgId: run.orgId, runId, now }, warn);
  // A report at a time: a first run over a large portal has hundreds of thousands of receipts.
  const receipts = await RunReceipts.open(store, runId);
  const feeds = REPORTS.filter((r) => r.deletionFeed).map((r) => r.id);
  const fromBin = await binDepartures(store, run, runId, (await Promise.all(feeds.map((feed) => receipts.of(feed)))).flat(), warn);
  const foldable = run !== undefined && (run.status === 'planned' || run.status === 'finished');
  const settledReport = (m: ReportManifest) => m.pages.pending + m.pages.deadLettered === 0;
  const manifests: ReportManifest[] = [];
  for (const report of reportsOf(run, receipts)) {
    const mine = await receipts.of(report);
    const manifest = manifestOf(report, runId, mine, run);
    manifests.push(manifest);
    const found = await reportDepartures(store, run, runId, report, mine, fromBin, warn);
    const departed = fromBin.filter((t) => t.report === report).length + found.departed;
    if (departed) manifest.departed = departed;
    if (found.unchanged) manifest.unchanged = found.unchanged;
    if (run?.reconciles?.includes(manifest.report)) manifest.reconcile = true;
    const decision = cursorFor(run, runId, manifest);
    if (decision.move) {
      const cursor = Date.parse(decision.cursor) > now ? new Date(now).toISOString() : decision.cursor;
      const key = stateKey(run?.orgId, manifest.report);
      const current = await readChecked(store, key, reportStateSchema, warn);
      const currentIsFuture = current !== undefined && Date.parse(current.cursor) > now + FUTURE_CURSOR_TOLERANCE_MS;
      if (currentIsFuture) warn(`${key} held a cursor in the future (${current.cursor}); it is set back to ${cursor}.`);
      if (current && !currentIsFuture && current.orgId === run?.orgId && current.cursor >= cursor) {
        // Finalizing again (a redrive, the next run) says what the first time did.
        manifest.cursor =
          current.runId === runId
            ? { moved: true, note: `cursor moved to ${current.cursor}${decision.note}` }
            : { moved: false, note: `cursor kept: a newer run already moved it to ${current.cursor}` };
      } else {
        const fullReadAt = run?.fullReads?.includes(manifest.report) ? cursor : current?.fullReadAt;
        const state: ReportState = {
          report: manifest.report,
          cursor,
          runId,
          ...(run?.orgId ? { orgId: run.orgId } : {}),
          ...(fullReadAt ? { fullReadAt } : {}),
        };
        if (findReport(manifest.report)?.carryParents)
          state.parents = carriedParents(mine, manifest.report, current?.orgId === run?.orgId ? current : undefined);
        await writeJson(store, key, state);
        manifest.cursor = { moved: true, note: `cursor moved to ${cursor}${decision.note}` };
      }
    } else {
      manifest.cursor = { moved: false, note: decision.note };
    }
    await writeJson(store, manifestKey(manifest.report, runId, run?.orgId), manifest);
    await noteUnavailable(store, run, manifest, mine, now);
    // Nothing of this report will be written again (no page pending, none waiting for a redrive): its receipts
    // in one object, read once here for everything.
    if (foldable && settledReport(manifest) && mine.length > 0 && receipts.unfolded(report)) {
      await foldReport(store, runId, report, found.receipts ?? mine);
      await store.delete(await receipts.pageReceiptsOf(report));
    }
  }
  if (run && run.status === 'planned' && manifests.every((m) => m.pages.pending === 0)) {
    await writeJson(store, runRecordKey(runId), { ...run, status: 'finished' });
  }
  if (foldable && manifests.every(settledReport) && receipts.batches.length > 0) await store.delete(receipts.batches);
  return manifests;
}
