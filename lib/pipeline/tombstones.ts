import * as z from 'zod';
import type { ObjectStore } from '../ports.js';
import { DELETION_FEED, findReport, recordKey, REPORTS, type ReportDefinition } from '../reports/catalog.js';
import { orgFolder, RUN_ID, runDate, stateFolder } from './keys.js';
import { portalRunFolders, readLayout } from './portals.js';
import { pageRecords } from './page-lines.js';
import { readChecked, type Receipt, type RunRecord } from './records.js';
import { dropUnchanged, hashedReport, hashesAfter, slimmed, unchangedCount, unchangedOnPages } from './unchanged.js';

/**
 * Records that left Zoho Desk, as tombstones: one line per record gone, in one place for every way a departure
 * is seen — Zoho's recycle bin, a complete read that no longer holds the record, a reconcile (the full read of
 * a report of changes), and later a webhook's delete event. The latest views hide a record whose newest
 * tombstone is from the run that last saw it or later; a record seen again (restored) is back.
 *
 *   tombstones/dt=<YYYY-MM-DD>/org=<orgId>/run=<runId>/<report or recycle-bin>.jsonl
 *   _state/org=<orgId>/<report>.ids.json      the keys of the last complete read, per parent, that the next is compared with
 */

/** How a departure was seen: the deletion feed (its report's id: "recycle-bin"), absent, reconcile, or a webhook. */
export const TOMBSTONE_SOURCES = [DELETION_FEED.id, 'absent', 'reconcile', 'webhook'] as const;

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

export function tombstoneKey(runId: string, orgId: string | undefined, name: string): string {
  return `${TOMBSTONE_PREFIX}dt=${runDate(runId)}/${orgFolder(orgId)}run=${runId}/${name}.jsonl`;
}

export const idsStateKey = (orgId: string | undefined, report: string) => `${stateFolder(orgId)}${report}.ids.json`;

const scopesSchema = z.record(z.string(), z.array(z.string()));
/** per key, the content hash of the record the last read held (unchanged.ts) */
const hashesSchema = z.record(z.string(), z.string());
/** Records a reconcile found missing, tombstoned once a later complete read of changes does not find them either. */
const suspectsSchema = z.array(z.string());

const idsStateSchema = z.object({
  report: z.string(),
  runId: z.string().regex(RUN_ID),
  orgId: z.string().optional(),
  /** per parent id ("" for the whole report): the keys of the records its last complete read held */
  scopes: scopesSchema,
  suspects: suspectsSchema.optional(),
  hashes: hashesSchema.optional(),
  /** the state before this run, so finalizing the run again (after a redrive) starts from the same place */
  before: z.object({ scopes: scopesSchema, suspects: suspectsSchema.optional(), hashes: hashesSchema.optional() }).optional(),
  /** tombstones this run wrote for the report */
  departed: z.number().int().min(0).optional(),
});
type IdsState = z.infer<typeof idsStateSchema>;

const PARENT = /^(?:ticket|agent|department|call)=(\d+)\//;

/** The parent a page was read under, for reports whose reads are complete per parent; "" otherwise. */
function scopeKey(report: ReportDefinition, scope: string): string {
  return report.current === 'per-parent' ? (PARENT.exec(scope)?.[1] ?? '') : '';
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
    for (const item of pageRecords((await store.get(receipt.key)) ?? '').records) {
      // The OAS schema says `type` is a string; its newer examples show ["Tickets"]: both are read.
      const types = (Array.isArray(item.type) ? item.type : [item.type]).filter((t): t is string => typeof t === 'string');
      const id = typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : undefined;
      if (!id) continue;
      const deletedTime = typeof item.deletedTime === 'string' ? item.deletedTime : null;
      for (const report of REPORTS.filter((r) => r.binType && types.includes(r.binType))) {
        out.push({ report: report.id, id, deletedTime, runId, source: DELETION_FEED.id });
      }
    }
  }
  return out;
}

const feedState = (run: RunRecord) => idsStateKey(run.orgId, DELETION_FEED.id);
const feedKey = (t: Tombstone) => `${t.report}:${t.id}:${t.deletedTime ?? ''}`;

/**
 * The feed's items this run saw for the first time. Each run reads the bin back to where the last one reached,
 * less an overlap for the clocks, so the last run's newest items come again: they are tombstoned once. The state
 * keeps this run's items and the ones before, so finalizing the same run again gives the same tombstones.
 */
async function newInFeed(store: ObjectStore, run: RunRecord, runId: string, items: Tombstone[], warn: (m: string) => void): Promise<Tombstone[]> {
  const stored = await readChecked(store, feedState(run), idsStateSchema, warn);
  const state = stored && stored.orgId === run.orgId ? stored : undefined;
  if (state && state.runId > runId) return []; // a newer run has read the bin since
  const prior = new Set(state?.runId === runId ? (state.scopes.before ?? []) : (state?.scopes[''] ?? []));
  const fresh = items.filter((t) => !prior.has(feedKey(t)));
  const next: IdsState = {
    report: DELETION_FEED.id,
    runId,
    ...(run.orgId ? { orgId: run.orgId } : {}),
    scopes: { '': items.map(feedKey), before: [...prior] },
  };
  await store.put(feedState(run), `${JSON.stringify(next)}\n`, 'application/json');
  return fresh;
}

/**
 * The keys every earlier run stored for a report, per parent: the base an export written before tombstones
 * existed is compared with once, so records that left it before the upgrade leave too. Read once per report.
 */
async function historyScopes(store: ObjectStore, report: ReportDefinition, run: RunRecord): Promise<Record<string, string[]>> {
  const scopes: Record<string, Set<string>> = {};
  // Folder by folder (the portal's own, and the legacy layout's if they are its), this run's left out unlisted:
  // on a first run it holds a folder per ticket, and nothing before.
  const keys: string[] = [];
  const legacyOrgId = (await readLayout(store))?.legacyOrgId;
  for (const folder of await portalRunFolders(store, report.id, run.orgId, legacyOrgId)) {
    if (folder.endsWith(`/run=${run.runId}/`)) continue;
    keys.push(...(await store.list(folder)).filter((k) => k.endsWith('.jsonl')));
  }
  for (const key of keys) {
    // <report>/dt=…/run=<id>/<scope>page-….jsonl
    const scope = scopeKey(report, key.replace(/^.*?\/run=[^/]+\//, ''));
    // A line that is not JSON has no key to compare.
    for (const record of pageRecords((await store.get(key)) ?? '').records) {
      const id = recordKey(report, record, scope);
      // biome-ignore lint/suspicious/noAssignInExpressions: the scope's set, made on its first id
      if (id) (scopes[scope] ??= new Set()).add(id);
    }
  }
  return Object.fromEntries(Object.entries(scopes).map(([scope, ids]) => [scope, [...ids].sort()]));
}

/**
 * One report's departures in one run. Its state before the run (kept in the state, so a run finalized again after
 * a redrive is computed again from the same place) is compared with what the run read in full: the whole report,
 * or each parent. A reconcile (the full read of a report of changes) only suspects what it misses — a ticket
 * edited while the read went on moved past its window — and the next complete read of changes, which reads every
 * ticket modified since, tombstones the suspects it does not find.
 */
async function applyReport(
  store: ObjectStore,
  run: RunRecord,
  runId: string,
  report: ReportDefinition,
  mine: readonly Receipt[],
  binned: ReadonlySet<string>,
  warn: (message: string) => void,
): Promise<Departures> {
  const key = idsStateKey(run.orgId, report.id);
  const stored = await readChecked(store, key, idsStateSchema, warn);
  const previous = stored && stored.orgId === run.orgId ? stored : undefined;
  if (previous && previous.runId > runId) return NONE; // a newer read already stands
  const base =
    previous?.runId === runId
      ? (previous.before ?? { scopes: {} })
      : previous
        ? {
            scopes: previous.scopes,
            ...(previous.suspects ? { suspects: previous.suspects } : {}),
            ...(previous.hashes ? { hashes: previous.hashes } : {}),
          }
        : { scopes: stored ? {} : await historyScopes(store, report, run) };
  const scopes: Record<string, string[]> = { ...base.scopes };
  let suspects = [...(base.suspects ?? [])];
  const departed: Tombstone[] = [];
  let unchanged = 0;
  let kept: Receipt[] | undefined;
  const tombstone = (id: string, scope: string, source: Tombstone['source']) =>
    departed.push({ report: report.id, id, ...(scope ? { parentId: scope } : {}), deletedTime: null, runId, source });
  const allStored = (pages: readonly Receipt[]) => pages.every((p) => p.status === 'written' && p.ids);
  const complete = (pages: readonly Receipt[]) => pages.length > 0 && allStored(pages);
  const idsOf = (pages: readonly Receipt[]) => new Set(pages.flatMap((p) => (p.status === 'written' ? (p.ids ?? []) : [])));
  const narrowed = Object.keys(run.requests.find((r) => r.report === report.id)?.params ?? {}).length > 0;

  if (report.current === 'per-parent') {
    const byParent = new Map<string, Receipt[]>();
    for (const r of mine) byParent.set(scopeKey(report, r.scope), [...(byParent.get(scopeKey(report, r.scope)) ?? []), r]);
    byParent.delete('');
    for (const [parent, pages] of byParent) {
      if (!complete(pages)) continue;
      const now = idsOf(pages);
      for (const id of scopes[parent] ?? []) if (!now.has(id)) tombstone(id, parent, 'absent');
      if (now.size) scopes[parent] = [...now].sort();
      else delete scopes[parent];
    }
  } else if (run.fullReads?.includes(report.id)) {
    if (complete(mine)) {
      const now = idsOf(mine);
      const missing = (scopes[''] ?? []).filter((id) => !now.has(id));
      if (report.current === 'changes') {
        // Kept in the state until confirmed: the next complete read of changes decides, or, when every run is a
        // full read (ZOHO_RECONCILE_HOURS=0), the next full read that misses it again.
        const confirmed = new Set(suspects.filter((id) => !now.has(id)));
        for (const id of confirmed) tombstone(id, '', 'reconcile');
        suspects = missing.filter((id) => !confirmed.has(id)).sort();
        scopes[''] = [...new Set([...now, ...suspects])].sort();
      } else {
        for (const id of missing) tombstone(id, '', 'absent');
        scopes[''] = [...now].sort();
      }
    }
  } else if (report.current === 'changes') {
    const seen = idsOf(mine);
    if (suspects.length && allStored(mine) && !narrowed) {
      // Every record changed since the reconcile was read: a suspect not among them is gone.
      for (const id of suspects) if (!seen.has(id)) tombstone(id, '', 'reconcile');
      suspects = [];
    } else {
      suspects = suspects.filter((id) => !seen.has(id));
    }
    const gone = new Set(departed.map((t) => t.id));
    scopes[''] = [...new Set([...(scopes[''] ?? []).filter((id) => !gone.has(id)), ...seen])].sort();
  } else {
    return NONE;
  }
  // Ids the recycle bin gave are tombstoned already: a later read is not to report them again.
  if (binned.size) {
    for (const [scope, ids] of Object.entries(scopes)) scopes[scope] = ids.filter((id) => !binned.has(id));
    suspects = suspects.filter((id) => !binned.has(id));
  }
  // Records stored already leave this run's pages; the hashes follow the keys the state holds now.
  let hashes: Record<string, string> | undefined;
  if (hashedReport(report)) {
    const expiring = report.current === 'snapshot' ? { expiring: true as const } : {};
    await dropUnchanged(store, report, unchangedOnPages(mine, base.hashes ?? {}), expiring);
    unchanged = unchangedCount(mine, base.hashes ?? {});
    hashes = hashesAfter(base.hashes ?? {}, mine, new Set(Object.values(scopes).flat()));
    kept = slimmed(mine, base.hashes ?? {});
  }
  // Written again when finalized again, even empty: a redriven page may have held what looked gone.
  if (departed.length || (previous?.runId === runId && (previous.departed ?? 0) > 0))
    await store.put(tombstoneKey(runId, run.orgId, report.id), jsonLines(departed), 'application/x-ndjson');
  const state: IdsState = {
    report: report.id,
    runId,
    ...(run.orgId ? { orgId: run.orgId } : {}),
    scopes,
    ...(suspects.length ? { suspects } : {}),
    ...(hashes ? { hashes } : {}),
    before: base,
    departed: departed.length,
  };
  await store.put(key, `${JSON.stringify(state)}\n`, 'application/json');
  return { departed: departed.length, unchanged, ...(kept ? { receipts: kept } : {}) };
}

/** What finalizing found of one report: records gone, and records read again unchanged (not stored again). */
export interface Departures {
  departed: number;
  unchanged: number;
  /** the report's receipts as they are to be kept (folded), where finalizing changed them */
  receipts?: Receipt[];
}

const NONE: Departures = { departed: 0, unchanged: 0 };

/** Whether a run's planning finished, so what it read can be compared with what came before. */
const comparable = (run: RunRecord | undefined): run is RunRecord => run !== undefined && run.status !== 'planning' && run.status !== 'failed';

/**
 * The recycle bin's items this run read (the deletion feeds' receipts), new since earlier runs, written as
 * tombstones; none until every feed's pages are read.
 */
export async function binDepartures(
  store: ObjectStore,
  run: RunRecord | undefined,
  runId: string,
  feedReceipts: readonly Receipt[],
  warn: (message: string) => void,
): Promise<Tombstone[]> {
  if (!comparable(run)) return [];
  const feeds = REPORTS.filter((r) => r.deletionFeed).map((r) => r.id);
  if (!feeds.every((feed) => !feedReceipts.some((r) => r.report === feed && r.status === 'planned'))) return [];
  const fromBin = await newInFeed(store, run, runId, await binTombstones(store, runId, feedReceipts), warn);
  if (fromBin.length) await store.put(tombstoneKey(runId, run.orgId, DELETION_FEED.id), jsonLines(fromBin), 'application/x-ndjson');
  return fromBin;
}

/**
 * What left one report this run read: the records a complete read (of the whole report, or of one parent) no
 * longer holds compared with the last complete read, the bin's items aside. Nothing while a page is pending.
 */
export async function reportDepartures(
  store: ObjectStore,
  run: RunRecord | undefined,
  runId: string,
  reportId: string,
  mine: readonly Receipt[],
  fromBin: readonly Tombstone[],
  warn: (message: string) => void,
): Promise<Departures> {
  const report = findReport(reportId);
  if (!comparable(run) || !report || report.deletionFeed || mine.some((r) => r.status === 'planned')) return NONE;
  const binned = new Set(fromBin.filter((t) => t.report === report.id).map((t) => t.id));
  return applyReport(store, run, runId, report, mine, binned, warn);
}
