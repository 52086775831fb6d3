import * as z from 'zod';
import type { Logger, ObjectStore } from '../ports.js';
import { RUN_ID } from './keys.js';

/**
 * The pipeline's own bookkeeping objects — run records, page receipts, report states — each with one schema
 * that gives its type and checks it whenever it is read back: a file cut short or edited by hand is seen for
 * what it is, never half-trusted (a `parents: "abc"` spread into characters, a missing cursor read as a date).
 */

export const isoTime = z.string().refine((value) => /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value)), 'an ISO time');
const params = z.record(z.string(), z.string());

export const runRecordSchema = z.object({
  runId: z.string().regex(RUN_ID),
  /** when the run was planned, on this machine's clock: the end of every "changed since" window */
  startedAt: isoTime,
  /** Zoho's own time when the planner first read it: no cursor of this run may be later */
  cursorAt: isoTime.optional(),
  trigger: z.enum(['cli', 'schedule', 'on-demand']),
  /** read from the bundled simulator (`run --simulate`), not a real portal: never to share a folder with one */
  simulated: z.literal(true).optional(),
  requests: z.array(z.object({ report: z.string(), route: z.string().optional(), params })),
  secretId: z.string().optional(),
  orgId: z.string().optional(),
  /** the portal's Zoho Desk edition as /organizations named it when the run was planned */
  edition: z.string().optional(),
  /** `failed`: planning did not finish, so the run covers only part of what was asked */
  status: z.enum(['planning', 'planned', 'finished', 'failed']),
  planned: z.record(z.string(), z.number().int().min(0)).optional(),
  /** the reports this run read in full, un-narrowed: a complete read of one is the whole report as it is now */
  fullReads: z.array(z.string()).optional(),
  /** of those, the reports of changes read in full to reconcile deletions (their credits are delete detection) */
  reconciles: z.array(z.string()).optional(),
  /** why the run failed */
  reason: z.string().optional(),
  /**
   * While planning goes on in further parts: the part next, when the last part stopped (its checkpoint), and the
   * pages queued so far. A run still planning is abandoned only long after its last checkpoint.
   */
  continuing: z.object({ part: z.number().int().min(2), at: isoTime, pages: z.number().int().min(0) }).optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export const pageStatusSchema = z.enum(['planned', 'written', 'dead-lettered', 'failed', 'unavailable']);
/**
 * planned: queued, not yet handled · written: stored · dead-lettered: in the dead-letter queue, `redrive` tries
 * again · failed: can never be read as asked (Zoho's depth limit), nothing queued · unavailable: the edition lacks it
 */
export type PageStatus = z.infer<typeof pageStatusSchema>;

export const receiptSchema = z.object({
  report: z.string(),
  runId: z.string().regex(RUN_ID),
  scope: z.string(),
  page: z.number().int().min(1),
  status: pageStatusSchema,
  /** the page's object, once written (none for an empty page: nothing is stored) */
  key: z.string().optional(),
  records: z.number().int().min(0).optional(),
  /** the keys of the records stored (report pages): what finalizing compares with the last complete read */
  ids: z.array(z.string()).optional(),
  /**
   * each of those records' content hash, in the same order (reports whose state is one list of keys: not per
   * parent, not a deletion feed): finalizing drops from the page the records unchanged since the last read
   */
  hashes: z.array(z.string()).optional(),
  credits: z.number().min(0).optional(),
  /** why it was dead-lettered, failed or unavailable */
  reason: z.string().optional(),
  /**
   * why a failed page failed: past Zoho's depth limit (nothing more can ever be read, so it does not hold the
   * report's cursor), a message too big for SQS, or a planning that failed for this report alone; and of an
   * unavailable page, that Zoho said the portal's edition lacks it (`edition`), or that it was not asked because
   * Zoho said so on an earlier run (`remembered`, unavailable.ts)
   */
  cause: z.enum(['depth', 'size', 'planning', 'remembered', 'edition', 'route']).optional(),
  /** a chained page's message as first planned: what a redelivery of the page before it sends again */
  body: z.string().optional(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export const reportStateSchema = z.object({
  report: z.string(),
  orgId: z.string().optional(),
  /** the time up to which the last complete, full-scope run read this report: the next run reads changes since */
  cursor: isoTime,
  runId: z.string().regex(RUN_ID),
  /** when a report of changes was last read in full (its reconcile): the next full read is due an interval later */
  fullReadAt: isoTime.optional(),
  /** the parents whose pages held records, for reports that read them again next time (pending approvals) */
  parents: z.array(z.string().regex(/^\d{1,25}$/)).optional(),
});
export type ReportState = z.infer<typeof reportStateSchema>;

export type ReadResult<T> = { kind: 'missing' } | { kind: 'valid'; value: T } | { kind: 'invalid'; reason: string };

/** One object, parsed and checked; never throws for bad content. */
export async function readRecord<T>(store: ObjectStore, key: string, schema: z.ZodType<T>): Promise<ReadResult<T>> {
  const text = await store.get(key);
  if (text === undefined) return { kind: 'missing' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON (cut short or edited by hand)' };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { kind: 'invalid', reason: `${first?.path.join('.') || 'the object'}: ${first?.message ?? 'invalid'}` };
  }
  return { kind: 'valid', value: parsed.data };
}

/** Where a bookkeeping object that failed its schema is kept for a person to look at. */
export const quarantineKey = (key: string) => `_quarantine/${key}`;

/**
 * Reads a bookkeeping object; an invalid one is copied to `_quarantine/<key>`, named in a warning, and read as
 * absent, so the caller falls back to what is safe (read in full, count the page as pending, move no cursor).
 */
export async function readChecked<T>(store: ObjectStore, key: string, schema: z.ZodType<T>, warn: (message: string) => void): Promise<T | undefined> {
  const result = await readRecord(store, key, schema);
  if (result.kind === 'valid') return result.value;
  if (result.kind === 'invalid') {
    const text = (await store.get(key)) ?? '';
    await store.put(quarantineKey(key), text, 'application/json');
    warn(`${key} is invalid (${result.reason}); a copy is in ${quarantineKey(key)}.`);
  }
  return undefined;
}

/** A warning sink that logs. */
export const warnTo =
  (logger: Logger, fields: Record<string, unknown> = {}) =>
  (message: string) =>
    logger.warn(fields, message);
