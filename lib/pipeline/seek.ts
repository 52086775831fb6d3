import { ZohoRejectedError } from '../errors.js';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { describeEndpoint, type DeskEndpoint } from '../zoho/endpoints.js';

/**
 * Keyset paging over a time window: Zoho pages a search by offset, and a record that leaves the window while
 * it is read (edited, so its modifiedTime moves past the window's end; or deleted) moves every later record
 * up one place — a page read afterwards by offset would skip one. So each page after the first starts at the
 * last time the page before it reached (`after`), skipping only the records of that very time it already read.
 */
export interface SeekPosition {
  /** the window's start for the first page; then the last time read */
  after: string;
  /** records of the time `after` already read (offset from the endpoint's first record) */
  from: number;
}

/** Where the page after this one starts: by time, or, when a whole page shares its start time, by offset. */
export function seekNext(
  target: DeskEndpoint,
  records: readonly DeskRecord[],
  field: string,
  position: SeekPosition,
  limit: number,
): SeekPosition {
  const times = records.map((record, i) => {
    const time = Date.parse(String(record[field] ?? ''));
    if (Number.isNaN(time)) {
      throw new ZohoRejectedError(`${describeEndpoint(target)} answered a record without a ${field} (record ${i + 1}): its window cannot be paged on.`);
    }
    return time;
  });
  for (let i = 1; i < times.length; i += 1) {
    if ((times[i] as number) < (times[i - 1] as number)) {
      throw new ZohoRejectedError(`${describeEndpoint(target)} answered a page not sorted by ${field} as asked (record ${i + 1}): its window cannot be paged on.`);
    }
  }
  const last = times.at(-1) as number;
  const start = Date.parse(position.after);
  if (last <= start) return { after: position.after, from: position.from + limit };
  return { after: new Date(last).toISOString(), from: target.fromBase + times.filter((t) => t === last).length };
}

/** Every record of a window [since, until] of a search sorted by `field`, page after page by keyset. */
export async function seekAll(
  desk: DeskClient,
  target: DeskEndpoint,
  query: (after: string) => Record<string, string | undefined>,
  field: string,
  since: string,
): Promise<DeskRecord[]> {
  const seen = new Set<string>();
  const records: DeskRecord[] = [];
  let position: SeekPosition = { after: since, from: target.fromBase };
  for (;;) {
    const page = await desk.page(target, { query: query(position.after), from: position.from, limit: target.maxLimit });
    for (const record of page.records) {
      const id = String(record.id);
      if (!seen.has(id)) records.push(record);
      seen.add(id);
    }
    if (page.last) return records;
    const next = seekNext(target, page.records, field, position, page.limit);
    if (next.from > target.fromMax) {
      throw new ZohoRejectedError(`${describeEndpoint(target)}: more than ${target.fromMax} records share the time ${next.after}.`);
    }
    position = next;
  }
}
