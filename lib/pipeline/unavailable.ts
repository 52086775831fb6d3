import { ENDPOINTS } from '../zoho/endpoints.js';
import * as z from 'zod';
import type { ObjectStore } from '../ports.js';
import { RUN_ID, stateFolder } from './keys.js';
import type { ReportManifest } from './manifest.js';
import { findReport } from '../reports/catalog.js';
import { isoTime, readChecked, readRecord, type Receipt, type RunRecord } from './records.js';

/**
 * What Zoho said a report is not available on this portal's edition (403 LICENSE_ACCESS_LIMITED), and when.
 * Until the reconcile interval has passed, and while the portal's edition stays the one it had (asked again
 * weekly all the same), a run does not ask again: it records the report as unavailable without a call. Asking every run cost a Free portal a read of every ticket for ticket time entries (the
 * report has no cursor, so its tickets were "changed since ever") and one refused call per ticket: over half
 * of a quiet run's credits on the bench (issue 15). A portal whose edition changed is asked at once, and read
 * from then on.
 */
export const unavailableSchema = z.object({
  report: z.string(),
  /** when Zoho last answered that the edition lacks it */
  at: isoTime,
  runId: z.string().regex(RUN_ID),
  reason: z.string(),
  /** the portal's edition then (/organizations): while it is the same, the answer stands */
  edition: z.string().optional(),
});
export type Unavailable = z.infer<typeof unavailableSchema>;

export const unavailableKey = (orgId: string | undefined, report: string) => `${stateFolder(orgId)}${report}.unavailable.json`;

/** The receipt cause of a page recorded unavailable from this note, not from an answer. */
export const REMEMBERED = 'remembered';

/**
 * The note on a report while it still stands: Zoho answered within `intervalMs` of `now`, or the portal's edition
 * is the one it had then and the answer is less than seven intervals old. A portal whose edition changed is
 * asked again at once.
 */
export async function knownUnavailable(
  store: ObjectStore,
  orgId: string | undefined,
  report: string,
  now: number,
  intervalMs: number,
  edition: () => Promise<string | undefined>,
  warn: (message: string) => void,
): Promise<{ reason: string } | undefined> {
  const note = await readChecked(store, unavailableKey(orgId, report), unavailableSchema, warn);
  if (!note) return undefined;
  const age = now - Date.parse(note.at);
  const current = note.edition === undefined ? undefined : await edition();
  if (current !== undefined && current !== note.edition) return undefined;
  if (age < intervalMs) {
    const again = new Date(Date.parse(note.at) + intervalMs).toISOString();
    return { reason: `${note.reason} (Zoho said so at ${note.at}: not asked again before ${again} unless the edition changes)` };
  }
  // The same edition: Zoho's answer stands, but is asked again now and then (it may gate what it did not).
  if (current === undefined || age >= SAME_EDITION_INTERVALS * intervalMs) return undefined;
  const again = new Date(Date.parse(note.at) + SAME_EDITION_INTERVALS * intervalMs).toISOString();
  return {
    reason: `${note.reason} (Zoho said so at ${note.at}, and the portal is still ${current}: asked again at ${again} or when its edition changes)`,
  };
}

/** While the edition stays, Zoho's answer is asked again after this many reconcile intervals (a week by default). */
const SAME_EDITION_INTERVALS = 7;

/**
 * After finalizing: a report of the run's default scope that Zoho answered its edition lacks, on every page, gets
 * (or renews) its note, unless a newer run's note stands; one recorded unavailable from the note alone keeps the
 * note's time. A report a run read (a page written, even one narrowed by a parameter) is available: its note goes.
 */
export async function noteUnavailable(
  store: ObjectStore,
  run: RunRecord | undefined,
  manifest: ReportManifest,
  receipts: readonly Receipt[],
  now: number,
): Promise<void> {
  if (!run) return;
  const key = unavailableKey(run.orgId, manifest.report);
  if (manifest.pages.written > 0) {
    // Only a report that can be unavailable can have a note: the others are spared a delete each run.
    const report = findReport(manifest.report);
    if (report && (report.edition !== 'any' || ENDPOINTS[report.endpoint].unconfirmed)) await store.delete([key]);
    return;
  }
  if (manifest.status !== 'unavailable') return;
  const request = run.requests.find((r) => r.report === manifest.report && !r.route);
  if (!request || Object.keys(request.params).length > 0) return;
  const answered = receipts.find((r) => r.status === 'unavailable' && (r.cause === 'edition' || r.cause === 'route'));
  if (!answered) return;
  const existing = await readRecord(store, key, unavailableSchema);
  if (existing.kind === 'valid' && existing.value.runId >= run.runId) return;
  const note: Unavailable = {
    report: manifest.report,
    at: new Date(now).toISOString(),
    runId: run.runId,
    reason: answered.reason ?? 'not available on this edition',
    ...(run.edition ? { edition: run.edition } : {}),
  };
  await store.put(key, `${JSON.stringify(note)}\n`, 'application/json');
}
