import { ZohoRejectedError } from '../errors.js';
import pLimit from 'p-limit';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { describeEndpoint, ENDPOINTS, type DeskEndpoint } from '../zoho/endpoints.js';
import { seekPages, windowStart, type SeekPosition } from './seek.js';

/** A stretch of time, both ends included, and how many records fall in it when they were counted. */
export interface TimeWindow {
  since: string;
  until: string;
  count?: number;
}

/** Before any Zoho Desk portal: the start of a first run's history. */
export const HISTORY_START = '2000-01-01T00:00:00.000Z';

/**
 * How many records one window may hold: a search stops at its `from` cap, so a window must be read in full
 * before it. A tenth is kept free for records added between counting and reading.
 */
export function windowCapacity(search: DeskEndpoint = ENDPOINTS.ticketSearch): number {
  return Math.floor((search.fromMax + 1) * 0.9);
}

/** How many records a plain list can page through before Zoho's `from` stops it, with the same tenth kept free. */
export function listCapacity(list: DeskEndpoint): number {
  return Math.floor(list.fromMax * 0.9);
}

/** Counts the records in [from, to] (epoch ms, both included). */
export type WindowCount = (from: number, to: number) => Promise<number>;

/**
 * Splits [since, until] into windows whose counts stay under the capacity, halving a window until it does.
 * Empty windows are dropped, so a quiet portal costs one count call.
 */
export async function splitWindows(
  count: WindowCount,
  since: string,
  until: string,
  capacity: number,
  what = 'records',
  known?: number,
): Promise<TimeWindow[]> {
  const split = async (from: number, to: number, records: number): Promise<TimeWindow[]> => {
    if (records === 0) return [];
    if (records <= capacity) return [{ since: new Date(from).toISOString(), until: new Date(to).toISOString(), count: records }];
    if (to <= from) {
      throw new ZohoRejectedError(
        `${records} ${what} share the time ${new Date(from).toISOString()}, more than a search can page through (${capacity}).`,
      );
    }
    const middle = Math.floor((from + to) / 2);
    const [left, right] = await Promise.all([count(from, middle), count(middle + 1, to)]);
    return [...(await split(from, middle, left)), ...(await split(middle + 1, to, right))];
  };
  const from = Date.parse(since);
  const to = Date.parse(until);
  return split(from, to, known ?? (await count(from, to)));
}

/**
 * Splits [since, until] in halves until no part is too deep for a list to page through, asking `tooDeep`
 * (a list with no count: is there a record past its reach?). Stretches shorter than `minMs` are not asked.
 */
export async function probeWindows(
  tooDeep: (from: number, to: number) => Promise<boolean>,
  since: string,
  until: string,
  minMs: number,
): Promise<Array<{ since: string; until: string }>> {
  const split = async (from: number, to: number): Promise<Array<{ since: string; until: string }>> => {
    if (to - from < minMs || to <= from || !(await tooDeep(from, to)))
      return [{ since: new Date(from).toISOString(), until: new Date(to).toISOString() }];
    const middle = Math.floor((from + to) / 2);
    return [...(await split(from, middle)), ...(await split(middle + 1, to))];
  };
  return split(Date.parse(since), Date.parse(until));
}

const range = (from: number, to: number) => `${new Date(from).toISOString()},${new Date(to).toISOString()}`;

/** Search windows read side by side: each is a chain of keyset pages, so windows are the parallelism discovery has. */
const WINDOWS_AT_ONCE = 4;

/** Stretches longer than this (a first run, a full read) start where the oldest change is. */
const PROBE_OLDEST_AFTER_MS = 30 * 24 * 3_600_000;

/**
 * Tickets modified in [since, until], in windows read side by side (counted with /ticketsCount on a short stretch).
 * On a long stretch, one search call first, oldest change first, gives both the count and where the changes begin: a first run's
 * history starts in 2000, and halving from there would spend rounds of calls on empty years before any page.
 */
export async function ticketWindows(
  desk: DeskClient,
  since: string,
  until: string,
  capacity = windowCapacity(),
  /** windows at once on a long stretch; `pages`: about one a page, so nearly every page is planned up front */
  atOnce: number | 'pages' = WINDOWS_AT_ONCE,
): Promise<TimeWindow[]> {
  const count: WindowCount = (from, to) => desk.count('ticketsCount', { query: { modifiedTimeRange: range(from, to) } });
  // A short stretch (a run every few hours) is one count, as cheap as it gets.
  if (Date.parse(until) - Date.parse(since) < PROBE_OLDEST_AFTER_MS) return splitWindows(count, since, until, capacity, 'modified tickets');
  const search = ENDPOINTS.ticketSearch;
  const oldest = await desk.page(search, {
    query: { modifiedTimeRange: `${since},${until}`, sortBy: 'modifiedTime' },
    from: search.fromBase,
    limit: 1,
  });
  const first = Date.parse(String(oldest.records[0]?.modifiedTime ?? ''));
  if (oldest.records.length === 0) return [];
  // Without a time or a count in the answer, halve the whole stretch as before.
  if (Number.isNaN(first) || oldest.count === undefined) return splitWindows(count, since, until, capacity, 'modified tickets');
  const start = Math.max(Date.parse(since), first);
  // Windows are paged by keyset (seek.ts), never past the search's depth, so they are only the parallelism the
  // read has: cut by time, uncounted, as many as it holds pages to read side by side, and no fewer than a
  // window per search depth. Counting halves took a round of calls before the first page, and one after another
  // (a call per window) on a large first run.
  const pages = Math.ceil(oldest.count / search.maxLimit);
  return evenWindows(start, Date.parse(until), Math.max(Math.ceil(oldest.count / capacity), atOnce === 'pages' ? pages : Math.min(atOnce, pages)));
}

/** [from, to] cut into `parts` windows of equal time (fewer where the stretch has fewer milliseconds). */
function evenWindows(from: number, to: number, parts: number): TimeWindow[] {
  const n = Math.max(1, Math.min(parts, to - from + 1));
  const edges = Array.from({ length: n + 1 }, (_, i) => from + Math.floor(((to - from + 1) * i) / n));
  return edges.slice(0, -1).map((start, i) => ({
    since: new Date(start).toISOString(),
    until: new Date((edges[i + 1] as number) - 1).toISOString(),
  }));
}

/**
 * Records created in [from, to] that a module search finds, from the `count` of a one-record page: the search
 * is the only count Zoho offers for contacts, accounts and calls (their /count endpoints need a view).
 */
export function searchCount(desk: DeskClient, search: DeskEndpoint, query: Record<string, string | undefined>): WindowCount {
  return async (from, to) => {
    const page = await desk.page(search, { query: { ...query, createdTimeRange: range(from, to) }, from: search.fromBase, limit: 1 });
    if (page.records.length === 0) return 0;
    if (page.count === undefined)
      throw new ZohoRejectedError(`${describeEndpoint(search)} answered without a "count".`, { request: describeEndpoint(search) });
    return page.count;
  };
}

/** A window of changed tickets, and how far its keyset paging got (a planning in parts goes on from there). */
export interface WindowProgress extends TimeWindow {
  /** where its next page starts, once paging stopped inside it */
  next?: SeekPosition;
  /** read to its end */
  done?: boolean;
}

/**
 * The tickets of these windows, handed to `onPage` a search page at a time as the pages arrive — windows side
 * by side, each oldest first by keyset (seek.ts), each from where it stopped before — so what depends on the
 * tickets starts at once and nothing holds them all. A ticket edited while it is read, and so found in two
 * windows, is handed over once. `stop`, asked before each page, ends the reading there; each window then says
 * where it stopped (`next`) or that it is `done`.
 */
export async function readTicketWindows(
  desk: DeskClient,
  windows: WindowProgress[],
  onPage: (tickets: DeskRecord[]) => Promise<void>,
  stop?: () => boolean,
  /** the search listing the records changed (the tickets'; a call's for its comments) */
  search: DeskEndpoint = ENDPOINTS.ticketSearch,
): Promise<void> {
  const seen = new Set<string>();
  const limit = pLimit(WINDOWS_AT_ONCE);
  await Promise.all(
    windows
      .filter((window) => !window.done)
      .map((window) =>
        limit(async () => {
          const query = (after: string) => ({ modifiedTimeRange: `${after},${window.until}`, sortBy: 'modifiedTime' });
          const start = window.next ?? windowStart(search, window.since);
          const stopped = await seekPages(desk, search, query, 'modifiedTime', onPage, { start, seen, ...(stop && { stop }) });
          if (stopped) {
            window.next = stopped;
          } else {
            window.done = true;
            delete window.next;
          }
        }),
      ),
  );
}
