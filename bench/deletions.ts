import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { TOMBSTONE_PREFIX, type Tombstone } from '../lib/pipeline/tombstones.js';
import { findReport } from '../lib/reports/catalog.js';
import { dailyCredits, EDITIONS, type Edition } from '../lib/zoho/editions.js';
import { runAll } from './credits.js';
import { bench } from './setup.js';

export interface DeletionsResult {
  tickets: number;
  /** tickets deleted that day, and how many of them have a tombstone */
  deleted: number;
  found: number;
  /** tombstones of tickets that were not deleted (none expected) */
  extra: number;
  /** credits a day of six 4-hourly runs spent finding deletions: the recycle bin each run, the daily full read */
  deletionCredits: number;
  binCredits: number;
  reconcileCredits: number;
  /** every credit of that day's runs */
  dayCredits: number;
  /** the share of each edition's daily pool (with the portal's agents) that finding deletions takes */
  shares: Record<Edition, number>;
}

/**
 * Figure 7: what finding deleted records costs a day, end to end, on a portal of `tickets`: a first run, then a
 * day of six 4-hourly runs with 2% of tickets changing and 0.2% deleted daily (some by a spam delete, which the
 * recycle bin never lists); the sixth run falls due for the daily full reads of the reports read by change (the
 * reconcile: tickets, contacts, accounts, calls), whose missing records the next run confirms.
 */
export async function deletions(tickets = 10_000): Promise<DeletionsResult> {
  const setup = await bench({ tickets, seed: 11, dailyCredits: 1_000_000_000 });
  try {
    const first = await runAll(setup);
    const changedPerRun = Math.max(1, Math.round((tickets * 0.02) / 6));
    const deletedPerRun = Math.max(1, Math.round((tickets * 0.002) / 6));
    let binCredits = 0;
    let reconcileCredits = 0;
    let dayCredits = 0;
    const deleted = new Set<string>();
    for (let run = 0; run < 6; run += 1) {
      const changes = await setup.advance(4 * 3_600_000 + 60_000, {
        modifiedTickets: changedPerRun,
        newThreads: changedPerRun,
        deleteTickets: deletedPerRun,
        ...(run === 2 ? { spamDeleteTickets: 1 } : {}),
      });
      for (const id of [...(changes.deletedTickets ?? []), ...(changes.spamDeletedTickets ?? [])]) deleted.add(id);
      const result = await runAll(setup, first.folder);
      dayCredits += result.credits;
      for (const m of result.manifests) {
        if (findReport(m.report)?.deletionFeed) binCredits += m.credits;
        if (m.reconcile) reconcileCredits += m.credits;
      }
    }
    // The next day's first run confirms what the day's full read found missing (a ticket edited while it was read
    // is not gone); its credits are the next day's.
    await setup.advance(4 * 3_600_000, { modifiedTickets: changedPerRun });
    await runAll(setup, first.folder);
    // Every deleted ticket has a tombstone: read them back as a consumer of the raw files would.
    const store = new FolderObjectStore(first.folder);
    const gone = new Set<string>();
    for (const key of await store.list(TOMBSTONE_PREFIX)) {
      for (const line of ((await store.get(key)) ?? '').split('\n').filter(Boolean)) {
        const t = JSON.parse(line) as Tombstone;
        if (t.report === 'tickets') gone.add(t.id);
      }
    }
    const agents = first.manifests.find((m) => m.report === 'agents')?.records ?? 0;
    const deletionCredits = binCredits + reconcileCredits;
    const shares = Object.fromEntries(EDITIONS.map((e) => [e, deletionCredits / dailyCredits(e, agents)])) as Record<Edition, number>;
    const found = [...deleted].filter((id) => gone.has(id)).length;
    return { tickets, deleted: deleted.size, found, extra: gone.size - found, deletionCredits, binCredits, reconcileCredits, dayCredits, shares };
  } finally {
    await setup.close();
  }
}
