import { KEY_CONTENT, KEY_PARENT, keyFields, REPORTS, TICKETS_REPORT } from '../reports/catalog.js';
import type { FieldSpec, FieldType } from '../reports/fields.js';

/**
 * The tables over the exported data, the same in Athena and on this machine (DuckDB). Per report:
 * - `<table>_raw`: one row per line of each page file, the record as Zoho sent it (`record`), with `dt` and `"$path"`;
 * - `<table>`: every version of every record, each field Zoho documents as a typed column (fields.ts), the custom
 *   fields as `cf` (JSON) and one `cf_…` column each, and `record`, the whole JSON: a field Zoho adds later is
 *   readable there, never a failed query;
 * - `<table>_latest`: the portal as it is now: the newest version of each record that has not left (tombstones).
 * Plus `tombstones` (what left, and how it was seen) and `routes` (on-demand exports of any Desk route).
 */

export type { FieldSpec, FieldType } from '../reports/fields.js';

/** The column of a record's content hash, for records identified by it. */
export const RECORD_HASH = 'record_hash';

export interface TableSpec {
  /** the report's folder in the bucket */
  report: string;
  table: string;
  fields: readonly FieldSpec[];
  /** the parent id in the page's folder ("ticket=…/"), exposed by the views */
  parent?: { scope: string; column: string };
  /** the columns that identify a record across runs (the parent's, `record_hash`, where its definition's key says) */
  key: readonly string[];
  /** the records are identified by their content: the views compute `record_hash` (catalog.ts contentHash) */
  contentKey?: boolean;
  /** the column that orders versions of a record, where Zoho gives one; else the newest run wins */
  versionedBy?: string;
  /** the Zoho module whose custom fields (GET /organizationFields?module=) the records carry in `cf` */
  module?: string;
  /** the column naming the ticket a record belongs to: it leaves with a deleted ticket (threads, time entries…) */
  ticketColumn?: string;
  /**
   * The report whose deleted records take this one's along in the latest views, and the column naming the one a
   * record belongs to: a ticket's (ticketColumn) for a ticket's children, a call's for its comments.
   */
  leavesWith?: { report: string; column: string };
}

/** The custom fields of a module, from the newest field metadata in the export. */
export interface CustomField {
  apiName: string;
  type: FieldType;
}

export const TABLES: readonly TableSpec[] = REPORTS.map((report) => {
  const spec: TableSpec = {
    report: report.id,
    table: tableName(report.id),
    fields: report.table.fields,
    key: keyFields(report).map((part) =>
      part === KEY_PARENT ? `${report.parent?.scope ?? 'parent'}_id` : part === KEY_CONTENT ? RECORD_HASH : part,
    ),
  };
  if (keyFields(report).includes(KEY_CONTENT)) spec.contentKey = true;
  if (report.parent) spec.parent = { scope: report.parent.scope, column: `${report.parent.scope}_id` };
  if (report.table.versionedBy) spec.versionedBy = report.table.versionedBy;
  if (report.parent?.scope === 'ticket') spec.ticketColumn = `${report.parent.scope}_id`;
  else if (report.ticketField) spec.ticketColumn = report.ticketField;
  if (report.table.module) spec.module = report.table.module;
  if (spec.ticketColumn) spec.leavesWith = { report: TICKETS_REPORT.id, column: spec.ticketColumn };
  else if (report.parent?.deletedWith) spec.leavesWith = { report: report.parent.deletedWith, column: `${report.parent.scope}_id` };
  return spec;
});

/** A report's table: its id with underscores ("ticket_tags"). */
export function tableName(reportId: string): string {
  return reportId.replaceAll('-', '_');
}

/** The table of the tickets, which every ticket's children leave with. */
export const TICKETS_TABLE = tableName(TICKETS_REPORT.id);

export const TOMBSTONES_TABLE = 'tombstones';
export const ROUTES_TABLE = 'routes';

/** The tables a person can query, for messages. */
export const TABLE_NAMES = [...TABLES.map((t) => t.table), TOMBSTONES_TABLE, ROUTES_TABLE];

export const findTable = (report: string) => TABLES.find((t) => t.report === report);

/** The table whose deleted records take a record of `spec` along (a ticket's threads leave with it), if any. */
export const parentTable = (spec: TableSpec): TableSpec | undefined =>
  spec.leavesWith ? TABLES.find((t) => t.report === spec.leavesWith?.report) : undefined;

/** Zoho's field types (Field.json fieldsData.type) as column types; anything else stays text. */
export function customFieldType(zohoType: string): FieldType {
  switch (zohoType) {
    case 'Number':
    case 'AutoNumber':
      return 'integer';
    case 'Decimal':
    case 'Currency':
    case 'Percent':
      return 'decimal';
    case 'Boolean':
    case 'Checkbox':
      return 'boolean';
    case 'Date':
      return 'date';
    case 'DateTime':
      return 'time';
    default:
      return 'string';
  }
}

/** createdTime → created_time */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
