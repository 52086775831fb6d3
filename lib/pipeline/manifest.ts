import type { ObjectStore } from '../ports.js';
import { findReport } from '../reports/catalog.js';
import { manifestKey, runRecordKey, runStartedAt, stateKey } from './keys.js';
import { readReceipts, type Receipt } from './receipts.js';

/**
 * Run manifests, derived from the page receipts (so no update is ever lost), and the per-report state
 * cursor, which moves only when every page of that report's run is stored.
 */

export type ReportStatus = 'complete' | 'incomplete' | 'failed' | 'unavailable';

export interface ReportManifest {
  report: string;
  runId: string;
  status: ReportStatus;
  pages: { planned: number; written: number; deadLettered: number; unavailable: number; pending: number };
  records: number;
  credits: number;
  /** pages in the dead-letter queue and why (the first 20) */
  failures: Array<{ scope: string; page: number; reason: string }>;
  /** why the report is unavailable, when it is */
  unavailable?: string;
}

export interface RunRecord {
  runId: string;
  startedAt: string;
  trigger: 'cli' | 'schedule' | 'on-demand';
  requests: Array<{ report: string; route?: string; params: Record<string, string> }>;
  secretId?: string;
  orgId?: string;
  status: 'planning' | 'planned' | 'finished';
  planned?: Record<string, number>;
}

export interface ReportState {
  report: string;
  orgId: string | undefined;
  /** when the last complete run of this report started: the next run reads changes since then */
  cursor: string;
  runId: string;
  /** the parents whose pages held records, for reports that read them again next time (pending approvals) */
  parents?: string[];
}

export function summarise(report: string, runId: string, receipts: Receipt[]): ReportManifest {
  const count = (status: Receipt['status']) => receipts.filter((r) => r.status === status).length;
  const pages = {
    planned: receipts.length,
    written: count('written'),
    deadLettered: count('dead-lettered'),
    unavailable: count('unavailable'),
    pending: count('planned'),
  };
  const status: ReportStatus =
    pages.pending > 0 ? 'incomplete' : pages.deadLettered > 0 ? 'failed' : pages.written === 0 && pages.unavailable > 0 ? 'unavailable' : 'complete';
  const manifest: ReportManifest = {
    report,
    runId,
    status,
    pages,
    records: receipts.reduce((sum, r) => sum + (r.records ?? 0), 0),
    credits: receipts.reduce((sum, r) => sum + (r.credits ?? 0), 0),
    failures: receipts
      .filter((r) => r.status === 'dead-lettered')
      .slice(0, 20)
      .map((r) => ({ scope: r.scope, page: r.page, reason: r.reason ?? 'unknown' })),
  };
  const unavailable = receipts.find((r) => r.status === 'unavailable')?.reason;
  if (unavailable) manifest.unavailable = unavailable;
  return manifest;
}

/** Every report's manifest for a run, computed from its receipts now (a report planned with no pages included). */
export async function runManifests(store: ObjectStore, runId: string): Promise<ReportManifest[]> {
  const receipts = await readReceipts(store, runId);
  const byReport = new Map<string, Receipt[]>();
  const run = await readJson<RunRecord>(store, runRecordKey(runId));
  if (run?.status !== 'planning') for (const request of run?.requests ?? []) byReport.set(request.report, []);
  for (const receipt of receipts) byReport.set(receipt.report, [...(byReport.get(receipt.report) ?? []), receipt]);
  return [...byReport.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([report, list]) => summarise(report, runId, list));
}

/** The ids in the scopes ("ticket=<id>/") of a report's pages that held records. */
async function parentsWithRecords(store: ObjectStore, runId: string, report: string): Promise<string[]> {
  const receipts = (await readReceipts(store, runId)).filter((r) => r.report === report && (r.records ?? 0) > 0);
  return [...new Set(receipts.map((r) => /=([^/]+)\//.exec(r.scope)?.[1]).filter((id): id is string => Boolean(id)))];
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

/**
 * Writes each report's _manifest.json for the run, marks the run finished when nothing is pending, and moves
 * the state cursor of every report that is complete. Safe to call any number of times.
 */
export async function finalizeRun(store: ObjectStore, runId: string): Promise<ReportManifest[]> {
  const run = await readJson<RunRecord>(store, runRecordKey(runId));
  const manifests = await runManifests(store, runId);
  for (const manifest of manifests) {
    await writeJson(store, manifestKey(manifest.report, runId), manifest);
    if (manifest.status !== 'complete') continue;
    const key = stateKey(manifest.report);
    const current = await readJson<ReportState>(store, key);
    const cursor = run?.startedAt ?? runStartedAt(runId);
    // Never backwards: an older run finishing late must not undo a newer cursor.
    if (current && current.orgId === run?.orgId && current.cursor >= cursor) continue;
    const state: ReportState = { report: manifest.report, orgId: run?.orgId, cursor, runId };
    if (findReport(manifest.report)?.carryParents) state.parents = await parentsWithRecords(store, runId, manifest.report);
    await writeJson(store, key, state);
  }
  if (run && run.status !== 'planning' && manifests.every((m) => m.pages.pending === 0)) {
    await writeJson(store, runRecordKey(runId), { ...run, status: 'finished' });
  }
  return manifests;
}

/**
 * Finalizes the recent runs not yet finished (on AWS the scheduler does this before planning, so the cursor
 * of every report completed since the last schedule moves before the next run reads it).
 */
export async function finalizeRecentRuns(store: ObjectStore, count = 10): Promise<string[]> {
  const runIds = (await store.folders('_runs/')).slice(-count);
  const finalized: string[] = [];
  for (const runId of runIds) {
    const run = await readJson<RunRecord>(store, runRecordKey(runId));
    if (run?.status === 'finished') continue;
    await finalizeRun(store, runId);
    finalized.push(runId);
  }
  return finalized;
}
