import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import * as z from 'zod';
import { ZohoRejectedError } from '../errors.js';
import type { ObjectStore } from '../ports.js';
import type { ReportDefinition } from '../reports/definition.js';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { endpoint } from '../zoho/endpoints.js';
import { stateFolder } from './keys.js';
import type { PageMessage } from './messages.js';
import { readChecked } from './records.js';

/**
 * A list page whose records are read whole, one call each (a report whose definition says `whole`: threads in
 * full), once. What each parent's records were read whole as, and in which page file, is kept per parent:
 *
 *   _state/org=<orgId>/<report>/<scope>=<parent id>.json     { read: { <record id>: { seen, key } } }
 *
 * A record listed again with the same `changedBy` fields is not read again: its whole record, stored by that
 * earlier page, stays the newest version the latest view shows, and the page's receipt names it, so the read of
 * the parent is still complete (a record the list no longer holds leaves). A page read again (a redelivery)
 * reads again what it stored itself, so it stores the same records, never fewer. A record whose whole read
 * answers 404 (gone since it was listed) is stored as the list gave it, and read whole next time.
 */

const WHOLE_AT_ONCE = 4;

const readSchema = z.object({ read: z.record(z.string(), z.object({ seen: z.string(), key: z.string() })) });
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
  /** the records to store: each read whole now (or as listed, where the whole read found it gone) */
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
  const limit = pLimit(WHOLE_AT_ONCE);
  let weight = 0;
  const read: ReadWhole = {};
  const answers = await Promise.all(
    listed.map((record) =>
      limit(async (): Promise<DeskRecord | undefined> => {
        const id = idOf(record);
        const seen = seenAs(record, whole.changedBy);
        const earlier = id ? before[id] : undefined;
        if (id && earlier && earlier.seen === seen && earlier.key !== key) {
          read[id] = earlier;
          return undefined;
        }
        if (!id) return record;
        try {
          const answer = await desk.record(target, whole.request(record, message.params));
          weight += answer.weight;
          if (!answer.record) return record;
          read[id] = { seen, key };
          return answer.record;
        } catch (error) {
          if (error instanceof ZohoRejectedError && error.status === 404) return record;
          throw error;
        }
      }),
    ),
  );
  const records = answers.filter((record): record is DeskRecord => record !== undefined);
  const ids = listed.map(idOf);
  return {
    records,
    ids: ids.every((id): id is string => id !== undefined) ? ids : undefined,
    weight,
    remember: async () => {
      if (!stateKey) return;
      // A parent read whole on one page: what it holds now is all there is (a record gone, then back, is read
      // again). Over pages, each adds its own.
      const all = message.page === 1 && listed.length < message.limit ? read : { ...before, ...read };
      await store.put(stateKey, `${JSON.stringify({ read: all })}\n`, 'application/json');
    },
  };
}
