import { ZohoRejectedError } from '../errors.js';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { describeEndpoint, type DeskEndpoint } from '../zoho/endpoints.js';

/**
 * Keyset paging over a time window: Zoho pages a search by offset, and a record that leaves the window while
 * it is read (edited, so its modifiedTime moves past the window's end; or deleted) moves every later record
 * up one place — a page read afterwards by offset would skip one. So each page after the first starts at the
 * last time the page before it reached (`after`), and drops the records of that very time it already read
 * (`skip`, by id: counting them would skip one of their neighbours when one of them leaves).
 */
export interface SeekPosition {
  /** the window's start for the first page; then the last time read */
  after: string;
  /** where in the records from `after` on the page starts (the endpoint's first record, but for long ties) */
  from: number;
  /** ids of the records of the time `after` already read */
  skip: string[];
}

/** More records than this sharing one time cannot be paged on by time (their ids travel in the message). */
export const MAX_TIES = 2_000;

const idOf = (record: DeskRecord, i: number) => (typeof record.id === 'string' ? record.id : `#${i}`);

/** Where the page after this one starts: at the last time it reached, or, when a whole page shares its start time, further on in it. */
export function seekNext(target: DeskEndpoint, records: readonly DeskRecord[], field: string, position: SeekPosition, limit: number): SeekPosition {
  const name = describeEndpoint(target);
  const times = records.map((record, i) => {
    const time = Date.parse(String(record[field] ?? ''));
    if (Number.isNaN(time))
      throw new ZohoRejectedError(`${name} answered a record without a ${field} (record ${i + 1}): its window cannot be paged on.`, {
        request: name,
      });
    return time;
  });
  for (let i = 1; i < times.length; i += 1) {
    if ((times[i] as number) < (times[i - 1] as number)) {
      throw new ZohoRejectedError(`${name} answered a page not sorted by ${field} as asked (record ${i + 1}): its window cannot be paged on.`, {
        request: name,
      });
    }
  }
  const last = times.at(-1) as number;
  let next: SeekPosition;
  if (last <= Date.parse(position.after)) {
    // A whole page of one time: on by offset within it, a tenth of a page back so a tie that leaves meanwhile
    // cannot make one skipped; what is read twice is dropped by id.
    const ids = records.map(idOf);
    next = {
      after: position.after,
      from: position.from + limit - Math.max(1, Math.floor(limit / 10)),
      skip: [...new Set([...position.skip, ...ids])],
    };
  } else {
    next = { after: new Date(last).toISOString(), from: target.fromBase, skip: records.filter((_, i) => times[i] === last).map(idOf) };
  }
  if (next.skip.length > MAX_TIES)
    throw new ZohoRejectedError(`${name}: more than ${MAX_TIES} records share the time ${next.after}.`, { request: name });
  return next;
}

/** The records of a page not already read at its start time. */
export function unread(records: DeskRecord[], skip: readonly string[] | undefined): DeskRecord[] {
  if (!skip?.length) return records;
  const seen = new Set(skip);
  return records.filter((record, i) => !seen.has(idOf(record, i)));
}

export interface SeekOptions {
  /** where the first page starts: the window's start, or where an earlier call stopped */
  start: SeekPosition;
  /** ids of the records already handed over (another window's, read side by side) */
  seen?: Set<string>;
  /** asked before each page: true stops the paging there */
  stop?: () => boolean;
}

/** Where a window's paging starts from its beginning. */
export const windowStart = (target: DeskEndpoint, since: string): SeekPosition => ({ after: since, from: target.fromBase, skip: [] });

/**
 * The records of a window of a search sorted by `field`, page after page by keyset, handed to `onPage` as each
 * page arrives (records already handed over, by id in `seen`, are left out). Reads to the window's end and
 * answers undefined, or, when `stop` says so before a page, answers the position that page would start at, from
 * which a later call goes on.
 */
export async function seekPages(
  desk: DeskClient,
  target: DeskEndpoint,
  query: (after: string) => Record<string, string | undefined>,
  field: string,
  onPage: (records: DeskRecord[]) => Promise<void>,
  options: SeekOptions,
): Promise<SeekPosition | undefined> {
  const seen = options.seen ?? new Set<string>();
  let position = options.start;
  for (;;) {
    if (options.stop?.()) return position;
    const page = await desk.page(target, { query: query(position.after), from: position.from, limit: target.maxLimit });
    const fresh: DeskRecord[] = [];
    for (const record of unread(page.records, position.skip)) {
      const id = String(record.id);
      if (!seen.has(id)) fresh.push(record);
      seen.add(id);
    }
    if (fresh.length) await onPage(fresh);
    if (page.last) return undefined;
    const next = seekNext(target, page.records, field, position, page.limit);
    if (next.from > target.fromMax) {
      throw new ZohoRejectedError(`${describeEndpoint(target)}: more than ${target.fromMax} records share the time ${next.after}.`);
    }
    position = next;
  }
}
