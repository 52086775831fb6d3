import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import * as z from 'zod';
import { ZohoRejectedError } from '../errors.js';
import type { ObjectStore } from '../ports.js';
import type { ReportDefinition } from '../reports/definition.js';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { endpoint } from '../zoho/endpoints.js';
import { filesOf } from './attachment-files.js';
import { stateFolder } from './keys.js';
import type { PageMessage } from './messages.js';
import { pageRecords } from './page-lines.js';
import { readChecked } from './records.js';

/**
 * A list page whose records are read whole, one call each (a report whose definition says `whole`: threads in
 * full), once. What each parent's records were read whole as, into which page file, and on which page of the
 * list they were last seen, is kept per parent:
 *
 *   _state/org=<orgId>/<report>/<scope>=<parent id>.json     { read: { <record id>: { seen, key, page, filesOver? } } }
 *
 * A record listed again with the same `changedBy` fields is not read again: its whole record, stored by that
 * earlier page, stays the newest version the latest view shows, and the page's receipt names it, so the read of
 * the parent is still complete (a record the list no longer holds leaves, and its entry with it). A page read
 * again (a redelivery) reads again what it stored itself, and keeps what its file held that it does not read
 * now, so a page file never loses a record. A record whose whole read answers 404 (gone since it was listed) is
 * not stored: its earlier version stands, and the next read of the list says whether it left. A record one of
 * whose files was over ZOHO_ATTACHMENT_MAX_MB is read whole again once the limit is higher, to copy it.
 */

const WHOLE_AT_ONCE = 4;

const entrySchema = z.object({
  seen: z.string(),
  key: z.string(),
  /** the list's page it was last seen on (absent in states written before: taken as 1) */
  page: z.number().int().min(1).optional(),
  /** the file limit (bytes) one of its files was over when it was read whole */
  filesOver: z.number().optional(),
});
const readSchema = z.object({ read: z.record(z.string(), entrySchema) });
type ReadWhole = z.infer<typeof readSchema>['read'];

export const wholeStateKey = (report: ReportDefinition, message: PageMessage): string | undefined => {
  const parent = report.parent && message.params[report.parent.param];
  return parent && report.parent ? `${stateFolder(message.orgId)}${report.id}/${report.parent.scope}=${parent}.json` : undefined;
};

/** What of a listed record says its whole record changed: a short hash of its `changedBy` fields. */
function seenAs(record: DeskRecord, changedBy: readonly string[]): string {
  const fields = changedBy.map((field) => JSON.stringify(record[field] ?? null));
  return createHash('sha256').update(fields.join('\n')).digest('hex').slice(0, 16);
}

const idOf = (record: DeskRecord) => (typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : undefined);

export interface WholePage {
  /** the records to store: each read whole now, and what the page's file held that was not read again */
  records: DeskRecord[];
  /** every listed record's id, for the page's receipt to name them all; none when one has no id */
  ids: string[] | undefined;
  /** the calls' credits */
  weight: number;
  /** keeps what was read whole, once the page is stored */
  remember(): Promise<void>;
}

export async function readWhole(
  store: ObjectStore,
  desk: DeskClient,
  report: ReportDefinition,
  message: PageMessage,
  key: string,
  listed: readonly DeskRecord[],
  warn: (message: string) => void,
): Promise<WholePage> {
  const whole = report.whole;
  if (!whole) throw new Error(`${report.id} is not read whole`);
  const stateKey = wholeStateKey(report, message);
  const before: ReadWhole = (stateKey && (await readChecked(store, stateKey, readSchema, warn))?.read) || {};
  const target = endpoint(whole.endpoint);
  const maxBytes = desk.maxAttachmentBytes;
  const limit = pLimit(WHOLE_AT_ONCE);
  let weight = 0;
  const read: ReadWhole = {};
  const answers = await Promise.all(
    listed.map((record) =>
      limit(async (): Promise<DeskRecord | undefined> => {
        const id = idOf(record);
        if (!id) return record;
        const seen = seenAs(record, whole.changedBy);
        const earlier = before[id];
        const filesWait = earlier?.filesOver !== undefined && maxBytes > earlier.filesOver;
        if (earlier && earlier.seen === seen && earlier.key !== key && !filesWait) {
          read[id] = { ...earlier, page: message.page };
          return undefined;
        }
        try {
          const answer = await desk.record(target, whole.request(record, message.params));
          weight += answer.weight;
          if (!answer.record) return undefined;
          const over = report.files && filesOf(report.files, [answer.record]).some((file) => Number(file.size) > maxBytes);
          read[id] = { seen, key, page: message.page, ...(over ? { filesOver: maxBytes } : {}) };
          return answer.record;
        } catch (error) {
          if (error instanceof ZohoRejectedError && error.status === 404) return undefined;
          throw error;
        }
      }),
    ),
  );
  const fresh = answers.filter((record): record is DeskRecord => record !== undefined);
  // A redelivery: what the page's file held and is not read again now stays in it.
  const now = new Set(fresh.map(idOf));
  const kept = pageRecords((await store.get(key)) ?? '').records.filter((record) => !now.has(idOf(record)));
  const ids = listed.map(idOf);
  return {
    records: [...fresh, ...kept],
    ids: ids.every((id): id is string => id !== undefined) ? ids : undefined,
    weight,
    remember: async () => {
      if (!stateKey) return;
      // This page's entries are what it lists now; on the list's last page, no record is on a later one.
      const last = listed.length < message.limit;
      const others = Object.entries(before).filter(([id, entry]) => {
        const page = entry.page ?? 1;
        return !(id in read) && page !== message.page && !(last && page > message.page);
      });
      await store.put(stateKey, `${JSON.stringify({ read: { ...Object.fromEntries(others), ...read } })}\n`, 'application/json');
    },
  };
}
