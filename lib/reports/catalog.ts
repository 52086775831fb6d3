import { createHash } from 'node:crypto';
import type { DeskRecord } from '../zoho/desk-client.js';
import { ENDPOINTS } from '../zoho/endpoints.js';
import type { ReportDefinition } from './definition.js';
import { DEFINITIONS } from './definitions/index.js';
import type { FieldSpec } from './fields.js';
import { KEY_CONTENT, KEY_PARENT } from './kit.js';

export type { FanOut, Parent, ReportDefinition, TableDefinition } from './definition.js';
export type { FieldSpec, FieldType } from './fields.js';
export { FIELD_MODULES } from './params.js';
export { KEY_CONTENT, KEY_PARENT } from './kit.js';

/** The reports (design.md §2), each defined in its own file in definitions/, and what is asked of any of them. */

export const REPORTS: readonly ReportDefinition[] = DEFINITIONS;

export const REPORT_IDS = REPORTS.map((r) => r.id);

/** The fields that identify a report's records. */
export const keyFields = (report: Pick<ReportDefinition, 'key'>): readonly string[] => report.key ?? ['id'];

/** The whole record's hash, as the views compute it from the page line (md5 of its JSON text, hex). */
export const contentHash = (record: DeskRecord): string => createHash('md5').update(JSON.stringify(record)).digest('hex');

/**
 * A record's identity within its report: its id, or its key parts joined by "/" (as the views join them). A key
 * naming the parent needs the parent's id; without it there is none.
 */
export function recordKey(report: Pick<ReportDefinition, 'key'>, record: DeskRecord, parentId?: string): string | undefined {
  const parts = keyFields(report).map((field) => (field === KEY_PARENT ? parentId : field === KEY_CONTENT ? contentHash(record) : record[field]));
  return parts.every((p) => typeof p === 'string' || typeof p === 'number') ? parts.map(String).join('/') : undefined;
}

/** Whether a record of a newest-first list is older than the `since` it is read down to (an earlier run read it). */
export function olderThanSince(report: ReportDefinition, params: Record<string, string>, record: DeskRecord): boolean {
  if (!report.newestFirst || !params.since) return false;
  const value = record[report.newestFirst];
  const time = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
  return time < Date.parse(params.since);
}

/** Whether a page of a newest-first list reached back past `since`: nothing older is to be read. */
export function readPastSince(report: ReportDefinition, params: Record<string, string>, records: readonly DeskRecord[]): boolean {
  return records.some((record) => olderThanSince(report, params, record));
}

export function findReport(id: string): ReportDefinition | undefined {
  return REPORTS.find((report) => report.id === id);
}

/** "GET /agents/{agentId}/timeEntry" */
export function reportCall(report: ReportDefinition): string {
  const base = `GET ${ENDPOINTS[report.endpoint].path}`;
  if (report.callNote) return `${base}${report.callNote}`;
  if (report.changesSearch) return `GET ${ENDPOINTS[report.changesSearch].path}?modifiedTimeRange=… (all at the reconcile)`;
  return base;
}

export function reportScopes(report: ReportDefinition): readonly string[] {
  const scopes = new Set(ENDPOINTS[report.endpoint].scopes);
  if (report.fanOut === 'changed-parent' && report.parent?.changedBy) for (const s of ENDPOINTS[report.parent.changedBy].scopes) scopes.add(s);
  if (report.changeWindows) for (const s of ENDPOINTS.ticketSearch.scopes) scopes.add(s);
  if (report.changesSearch) for (const s of ENDPOINTS[report.changesSearch].scopes) scopes.add(s);
  return [...scopes];
}

/** Each report's record fields (its table's columns), by report id. */
export const REPORT_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = Object.fromEntries(REPORTS.map((r) => [r.id, r.table.fields]));

function theOne(what: string, has: (r: ReportDefinition) => boolean | undefined): ReportDefinition {
  const found = REPORTS.filter(has);
  if (found.length !== 1) throw new Error(`exactly one report must be ${what}, not ${found.length}`);
  return found[0] as ReportDefinition;
}

/** The report whose records are the tickets (holdsTickets): the parent of the reports read per ticket. */
export const TICKETS_REPORT = theOne('holdsTickets', (r) => r.holdsTickets);
/** The report whose records are the modules' field metadata (holdsFieldMetadata): custom fields' columns. */
export const FIELD_METADATA_REPORT = theOne('holdsFieldMetadata', (r) => r.holdsFieldMetadata);
/** The report whose records are other reports' deletions (deletionFeed: Zoho's recycle bin). */
export const DELETION_FEED = theOne('deletionFeed', (r) => r.deletionFeed);
