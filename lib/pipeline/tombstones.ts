import * as z from 'zod';
import type { ObjectStore } from '../ports.js';
import { findReport, REPORTS, type ReportDefinition } from '../reports/catalog.js';
import { RUN_ID, runDate } from './keys.js';
import { readChecked, type Receipt, type RunRecord } from './records.js';

/**
 * Records that left Zoho Desk, as tombstones: one line per record gone, in one place for every way a departure
 * is seen — Zoho's recycle bin, a complete read that no longer holds the record, a reconcile (the full read of
 * a report of changes), and later a webhook's delete event. The latest views hide a record whose newest
 * tombstone is from the run that last saw it or later; a record seen again (restored) is back.
 *
 *   tombstones/dt=<YYYY-MM-DD>/run=<runId>/<report or recycle-bin>.jsonl
 *   _state/<report>.ids.json      the keys of the last complete read, per parent, that the next is compared with
 */

export const TOMBSTONE_SOURCES = ['recycle-bin', 'absent', 'reconcile', 'webhook'] as const;

export const tombstoneSchema = z.object({
  /** the report whose record is gone */
  report: z.string(),
  /** the record's key (its id; "ticketId/threadId" for email failures) */
  id: z.string(),
  /** the parent the record was read under (a ticket's thread), where it has one */
  parentId: z.string().optional(),
  /** Zoho's deletion time, where Zoho gives it (the recycle bin) */
  deletedTime: z.string().nullable(),
  /** the run that saw the record gone */
  runId: z.string().regex(RUN_ID),
  /** recycle-bin: Zoho listed it as deleted · absent: a complete read no longer held it · reconcile: the full read of a report of changes no longer held it */
  source: z.enum(TOMBSTONE_SOURCES),
});
export type Tombstone = z.infer<typeof tombstoneSchema>;

export const TOMBSTONE_PREFIX = 'tombstones/';

export function tombstoneKey(runId: string, name: string): string {
  return `${TOMBSTONE_PREFIX}dt=${runDate(runId)}/run=${runId}/${name}.jsonl`;
}

export const idsStateKey = (report: string) => `_state/${report}.ids.json`;

const idsStateSchema = z.object({
  report: z.string(),
  runId: z.string().regex(RUN_ID),
  orgId: z.string().optional(),
  /** per parent id ("" for the whole report): the keys of the records its last complete read held */
  scopes: z.record(z.string(), z.array(z.string())),
  /** tombstones that run wrote for the report, so finalizing it again reports the same */
  departed: z.number().int().min(0).optional(),
});
type IdsState = z.infer<typeof idsStateSchema>;

const PARENT = /^(?:ticket|agent|department)=(\d+)\//;

/** The parent a page was read under, for reports whose reads are complete per parent; "" otherwise. */
function scopeKey(report: ReportDefinition, receipt: Receipt): string {
  return report.current === 'per-parent' ? (PARENT.exec(receipt.scope)?.[1] ?? '') : '';
}

const jsonLines = (items: readonly unknown[]) => items.map((item) => `${JSON.stringify(item)}\n`).join('');

/**
 * The recycle bin's items read by this run, as tombstones of the reports they belong to (a ticket's item is a
 * tombstone of tickets and of the queue). Written again, identical, each time the run is finalized.
 */
async function binTombstones(store: ObjectStore, runId: string, receipts: readonly Receipt[]): Promise<Tombstone[]> {
  const out: Tombstone[] = [];
  for (const receipt of receipts) {
    if (!findReport(receipt.report)?.deletionFeed || receipt.status !== 'written' || !receipt.key) continue;
    const text = (await store.get(receipt.key)) ?? '';
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let item: Record<string, unknown>;
      try {
        item = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      // The OAS schema says `type` is a string; its newer examples show ["Tickets"]: both are read.
      const types = (Array.isArray(item.type) ? item.type : [item.type]).filter((t): t is string => typeof t === 'string');
      const id = typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : undefined;
      if (!id) continue;
      const deletedTime = typeof item.deletedTime === 'string' ? item.deletedTime : null;
      for (const report of REPORTS.filter((r) => r.binType && types.includes(r.binType))) {
        out.push({ report: report.id, id, deletedTime, runId, source: 'recycle-bin' });
      }
    }
  }
  return out;
}

const FEED_STATE = idsStateKey('recycle-bin');
const feedKey = (t: Tombstone) => `${t.report}:${t.id}:${t.deletedTime ?? ''}`;

/**
 * The feed's items this run saw for the first time. Each run reads the bin back to where the last one reached,
 * less an overlap for the clocks, so the last run's newest items come again: they are tombstoned once. The state
 * keeps this run's items and the ones before, so finalizing the same run again gives the same tombstones.
 */
async function newInFeed(store: ObjectStore, run: RunRecord, runId: string, items: Tombstone[], warn: (m: string) => void): Promise<Tombstone[]> {
  const stored = await readChecked(store, FEED_STATE, idsStateSchema, warn);
  const state = stored && stored.orgId === run.orgId ? stored : undefined;
  if (state && state.runId > runId) return []; // a newer run has read the bin since
  const prior = new Set(state?.runId === runId ? (state.scopes.before ?? []) : (state?.scopes[''] ?? []));
  const fresh = items.filter((t) => !prior.has(feedKey(t)));
  const next: IdsState = { report: 'recycle-bin', runId, ...(run.orgId ? { orgId: run.orgId } : {}), scopes: { '': items.map(feedKey), before: [...prior] } };
  await store.put(FEED_STATE, `${JSON.stringify(next)}\n`, 'application/json');
  return fresh;
}

export interface DeparturesResult {
  /** tombstones written per report by this finalizing (recycle bin included) */
  byReport: Record<string, number>;
}

/**
 * Finds what left each report this run read: the recycle bin's items, and the records a complete read (of the
 * whole report, or of one parent) no longer holds compared with the last complete read. Applied once per run and
 * report, in run order: a run older than the last applied one changes nothing (the newer read already stands).
 */
export async function recordDepartures(
  store: ObjectStore,
  run: RunRecord | undefined,
  runId: string,
  receipts: readonly Receipt[],
  warn: (message: string) => void,
): Promise<DeparturesResult> {
  const byReport: Record<string, number> = {};
  if (!run || run.status === 'planning' || run.status === 'failed') return { byReport };
  const settled = (report: string) => !receipts.some((r) => r.report === report && r.status === 'planned');

  const feeds = REPORTS.filter((r) => r.deletionFeed).map((r) => r.id);
  const fromBin = feeds.every(settled) ? await newInFeed(store, run, runId, await binTombstones(store, runId, receipts), warn) : [];
  if (fromBin.length) {
    await store.put(tombstoneKey(runId, 'recycle-bin'), jsonLines(fromBin), 'application/x-ndjson');
    for (const t of fromBin) byReport[t.report] = (byReport[t.report] ?? 0) + 1;
  }

  const reports = [...new Set(receipts.map((r) => r.report))].map(findReport).filter((r): r is ReportDefinition => r !== undefined);
  for (const report of reports) {
    if (!settled(report.id) || report.deletionFeed) continue;
    const key = idsStateKey(report.id);
    const stored = await readChecked(store, key, idsStateSchema, warn);
    const previous = stored && stored.orgId === run.orgId ? stored : undefined;
    if (previous && previous.runId >= runId) {
      if (previous.runId === runId && previous.departed) byReport[report.id] = (byReport[report.id] ?? 0) + previous.departed;
      continue;
    }
    const mine = receipts.filter((r) => r.report === report.id);
    const scopes: Record<string, string[]> = { ...(previous?.scopes ?? {}) };
    const departed: Tombstone[] = [];
    const replace = (scope: string, pages: readonly Receipt[], source: Tombstone['source']) => {
      // A scope is known only when every page of it was stored with its keys.
      if (!pages.length || !pages.every((p) => p.status === 'written' && p.ids)) return;
      const now = new Set(pages.flatMap((p) => p.ids ?? []));
      for (const id of scopes[scope] ?? []) {
        if (!now.has(id)) departed.push({ report: report.id, id, ...(scope ? { parentId: scope } : {}), deletedTime: null, runId, source });
      }
      if (now.size) scopes[scope] = [...now].sort();
      else delete scopes[scope];
    };
    const readWhole = run.fullReads?.includes(report.id) ?? false;
    if (report.current === 'per-parent') {
      const byParent = new Map<string, Receipt[]>();
      for (const r of mine) byParent.set(scopeKey(report, r), [...(byParent.get(scopeKey(report, r)) ?? []), r]);
      byParent.delete('');
      for (const [parent, pages] of byParent) replace(parent, pages, 'absent');
    } else if (readWhole) {
      replace('', mine, report.current === 'changes' ? 'reconcile' : 'absent');
    } else if (report.current === 'changes') {
      // A read of changes adds what it saw, so the next full read can tell when one of them is gone.
      const seen = new Set([...(scopes[''] ?? []), ...mine.flatMap((p) => (p.status === 'written' ? (p.ids ?? []) : []))]);
      scopes[''] = [...seen].sort();
    } else {
      continue;
    }
    // Ids the recycle bin gave are already tombstoned: a later read is not to report them again.
    const binned = new Set(fromBin.filter((t) => t.report === report.id).map((t) => t.id));
    if (binned.size) for (const [scope, ids] of Object.entries(scopes)) scopes[scope] = ids.filter((id) => !binned.has(id));
    if (departed.length) {
      await store.put(tombstoneKey(runId, report.id), jsonLines(departed), 'application/x-ndjson');
      byReport[report.id] = (byReport[report.id] ?? 0) + departed.length;
    }
    const state: IdsState = { report: report.id, runId, ...(run.orgId ? { orgId: run.orgId } : {}), scopes, departed: departed.length };
    await store.put(key, `${JSON.stringify(state)}\n`, 'application/json');
  }
  return { byReport };
}
