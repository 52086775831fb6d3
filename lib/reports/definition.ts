import type { DeskRecord, PageRequest } from '../zoho/desk-client.js';
import type { EndpointKey } from '../zoho/endpoints.js';
import type { FieldSpec } from './fields.js';
import type { ParamSpec } from './params.js';

/**
 * What a report is (design.md §2): what it calls, how it fans out, how it is incremental, how deletes are
 * found, and its table. One definition a report, in definitions/; the planner, the consumer, finalizing and
 * the tables ask the definition, never the report's id. Reports marked Professional answer 403
 * LICENSE_ACCESS_LIMITED on lower editions; that is recorded as "unavailable", not retried.
 */

export type FanOut = 'pages' | 'agent' | 'department' | 'ticket-with-approvals' | 'changed-parent' | 'module';

/** The parent of a fanned-out page: which parameter names it, and its folder ("ticket=…/"). */
export interface Parent {
  param: 'agentId' | 'departmentId' | 'ticketId' | 'callId' | 'module';
  scope: 'agent' | 'department' | 'ticket' | 'call' | 'module';
  /**
   * For a report read per changed parent (`changed-parent`): the search that lists the parents modified in a
   * time range (`modifiedTimeRange`, sorted by `modifiedTime`), and finds one by `id` (is it gone?).
   */
  changedBy?: EndpointKey;
  /**
   * The report whose deleted records (tombstoned: the recycle bin, a reconcile) take this report's records of them
   * along in the latest views, and back when read again (a deleted call's comments); a ticket's children do so always.
   */
  deletedWith?: string;
  /** the list whose records' ids are the parents (GET /departments), read once per run */
  listedBy?: EndpointKey;
  /** the parents when they are a fixed list (the modules of field metadata) */
  values?: readonly string[];
}

/** A report's table (analytics/schema.ts): its columns, and what orders and extends its records. */
export interface TableDefinition {
  /** every field Zoho documents for the records (fields.ts), in column order */
  fields: readonly FieldSpec[];
  /** the field that orders versions of a record, where Zoho gives one; else the newest run wins */
  versionedBy?: 'modifiedTime';
  /** the Zoho module whose custom fields (GET /organizationFields?module=) the records carry in `cf` */
  module?: string;
}

export interface ReportDefinition {
  id: string;
  description: string;
  /** the endpoint of a plain page; `request` may choose another (tickets since a time use the search) */
  endpoint: EndpointKey;
  fanOut: FanOut;
  parent: Parent | undefined;
  params: readonly ParamSpec[];
  /** the least Zoho Desk edition that serves it */
  edition: 'any' | 'Professional';
  /** the Zoho call for one page, from the report's parameters */
  request(params: Record<string, string>): { endpoint: EndpointKey } & Pick<PageRequest, 'path' | 'query'>;
  /** records kept from a page (pending approvals keep the pending ones) */
  keep?(record: DeskRecord): boolean;
  /** the folder of a page within the run, when not its parent's ("window=0001/" for tickets) */
  scope?(params: Record<string, string>): string;
  /** the state keeps the parents that had records, for later runs to read again in turn (pending approvals) */
  carryParents?: boolean;
  /** what a person can do when the report is deeper than Zoho lets a list be paged */
  depthAdvice?: string;
  /**
   * The module search that reads this list past Zoho's depth limit, in windows of createdTime, and the search
   * filters that match the report's parameters. Used when the search counts more than the list can page through.
   */
  deepRead?: { endpoint: EndpointKey; filters(params: Record<string, string>): Record<string, string | undefined> };
  /**
   * For a page of a time window read through a search: the record field it is sorted by. Its successor starts
   * at the last record's value (keyset paging, param `after`) rather than at an offset, so a record leaving
   * the window while it is read (edited, so its time moves past the window) cannot push another past a page.
   */
  seek?(params: Record<string, string>): { field: 'modifiedTime' | 'createdTime'; after: string; lenient?: true } | undefined;
  /**
   * How the report's current state is known, so records that leave it leave its latest view:
   * - `snapshot`: every complete read of the default scope is the whole report: a record absent from it is gone;
   * - `per-parent`: every complete read of a parent (a ticket's threads) is all of that parent's records;
   * - `changes`: a run reads what changed, so a record is gone when Zoho's recycle bin says so, or when it is
   *   absent from the full read made at the reconcile interval (ZOHO_RECONCILE_HOURS).
   */
  current: 'snapshot' | 'per-parent' | 'changes';
  /**
   * What identifies a record (default: its id): record fields, or `$parent` (the id of the parent it was read
   * under) and `$content` (a hash of the whole record, for records with no id of their own that are never edited:
   * a ticket's history events). catalog.ts recordKey and the views (record_hash) compute the same.
   */
  key?: readonly string[];
  /** the `type` of Zoho's recycle-bin items that are this report's records (Recyclebin.json example values) */
  binType?: string;
  /** the record field naming the ticket a record belongs to, when not its parent: it leaves with a deleted ticket */
  ticketField?: string;
  /** its records are deletions of the other reports' records (the recycle bin): finalizing turns them into tombstones */
  deletionFeed?: true;
  /**
   * The search that reads only what changed: records modified in [since, until], oldest change first, by keyset
   * on modifiedTime (as tickets are read). Such a report is read in full on its first run and at the reconcile
   * interval (ZOHO_RECONCILE_HOURS, default 24), always through its search so every version has one shape
   * (the lists carry neither modifiedTime nor custom fields); between, only the changes.
   */
  changesSearch?: EndpointKey;
  /** planned before the other reports, so its pages are read first (tickets: what the other reports hang on) */
  readFirst?: true;
  /**
   * A list read newest first by this time field: a page whose oldest record is older than `since` (the last
   * complete run, less the overlap) is the last one read. Absent `since` (a first run), the whole list is read.
   */
  newestFirst?: string;
  /**
   * Read by change in windows of modifiedTime the search can page through, from its cursor (everything on a
   * first run), a window a page on a first run so a run larger than the day's credits has it first (tickets).
   */
  changeWindows?: true;
  /** Read from its cursor to the run's start as one modifiedTime range, where the list cannot sort by it (agent time entries). */
  rangeFromCursor?: true;
  /** The parent record's field that counts this report's records (a ticket's threadCount): its pages are planned up front. */
  countedOnParent?: string;
  /** its records are the tickets: the parent of every report read per ticket, and what their records leave with */
  holdsTickets?: true;
  /** its records are the field metadata of the modules (custom fields become columns of their tables) */
  holdsFieldMetadata?: true;
  /**
   * Read only when named (`run <report>`, SCHEDULED_REPORTS), never by a default run: what it costs, for
   * `reports` ("one call per new thread"). A report whose calls grow with the portal rather than with its changes.
   */
  optIn?: string;
  /**
   * Files copied into attachments/ once, up to ZOHO_ATTACHMENT_MAX_MB, when its page is read
   * (pipeline/attachment-files.ts): its records are the files (id, name, size, href), or, with `field`, each
   * record lists its files in that field (a thread's attachments). `endpoint`: what their links are.
   */
  files?: { field?: string; endpoint: EndpointKey };
  /**
   * Each record the list gives is read whole, one call each, from this endpoint (a thread in full), once: a
   * record read whole before, whose `changedBy` fields are the same on the list, is not read again, and stays
   * current from that earlier read while the list still holds it (pipeline/whole-records.ts).
   */
  /** records a page asks for, when fewer than the endpoint's most (a page read whole makes a call a record) */
  pageSize?: number;
  whole?: {
    endpoint: EndpointKey;
    request(record: DeskRecord, params: Record<string, string>): Pick<PageRequest, 'path' | 'query'>;
    /** the list's fields whose change means the whole record changed (a draft sent) */
    changedBy: readonly string[];
  };
  /** how its call differs from a plain GET of its endpoint, for `reports` ("(status Pending)") */
  callNote?: string;
  table: TableDefinition;
}
