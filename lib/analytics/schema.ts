/**
 * The tables over the exported data, the same in Athena and on this machine (DuckDB): one table per report,
 * its columns as Zoho names them, and a `<table>_latest` view keeping the newest version of each record.
 * Columns not listed here stay in the files; queries see only these.
 */

export type ColumnType = 'string' | 'boolean' | { struct: readonly string[] } | 'string[]';

export interface Column {
  name: string;
  type: ColumnType;
  /** an ISO time string: the views add it parsed, as snake_case (createdTime → created_time) */
  time?: boolean;
}

export interface TableSpec {
  /** the report's folder in the bucket */
  report: string;
  table: string;
  columns: readonly Column[];
  /** the parent id in the page's folder ("ticket=…/"), exposed by the views */
  parent?: { scope: 'ticket' | 'agent' | 'department'; column: string };
  /** what identifies a record across runs */
  key: readonly string[];
  /** the column that orders versions of a record, where Zoho gives one; else the newest run wins */
  versionedBy?: string;
}

const s = (name: string): Column => ({ name, type: 'string' });
const b = (name: string): Column => ({ name, type: 'boolean' });
const t = (name: string): Column => ({ name, type: 'string', time: true });
const person = (name: string, fields: readonly string[] = ['id', 'name']): Column => ({ name, type: { struct: fields } });

const TICKET_COLUMNS: Column[] = [
  s('id'), s('ticketNumber'), s('subject'), s('status'), s('statusType'), s('channel'), s('priority'), s('departmentId'),
  s('contactId'), s('accountId'), s('assigneeId'), t('createdTime'), t('modifiedTime'), t('closedTime'), t('dueDate'),
  t('customerResponseTime'), s('threadCount'), s('approvalCount'), b('isSpam'), b('isArchived'), s('webUrl'),
];
const TIME_ENTRY_COLUMNS: Column[] = [
  s('id'), s('requestId'), s('ownerId'), s('departmentId'), t('executedTime'), t('createdTime'), t('modifiedTime'),
  s('hoursSpent'), s('minutesSpent'), s('secondsSpent'), b('isBillable'), s('billingType'), s('totalCost'), s('description'),
];

export const TABLES: readonly TableSpec[] = [
  { report: 'accounts', table: 'accounts', key: ['id'], versionedBy: 'modifiedTime', columns: [s('id'), s('accountName'), s('website'), s('email'), s('phone'), s('ownerId'), t('createdTime'), t('modifiedTime')] },
  { report: 'agents', table: 'agents', key: ['id'], columns: [s('id'), s('name'), s('firstName'), s('lastName'), s('emailId'), s('status'), s('roleId'), s('profileId'), b('isConfirmed'), { name: 'associatedDepartmentIds', type: 'string[]' }] },
  { report: 'agent-time-entries', table: 'agent_time_entries', key: ['id'], versionedBy: 'modifiedTime', parent: { scope: 'agent', column: 'agent_id' }, columns: TIME_ENTRY_COLUMNS },
  { report: 'calls', table: 'calls', key: ['id'], versionedBy: 'modifiedTime', columns: [s('id'), s('subject'), s('departmentId'), s('contactId'), s('ticketId'), s('ownerId'), s('direction'), s('status'), s('duration'), b('isCompleted'), t('startTime'), t('createdTime'), t('modifiedTime')] },
  { report: 'contacts', table: 'contacts', key: ['id'], columns: [s('id'), s('firstName'), s('lastName'), s('email'), s('phone'), s('accountId'), s('ownerId'), b('isSpam'), t('createdTime')] },
  { report: 'customer-happiness', table: 'customer_happiness', key: ['id'], parent: { scope: 'department', column: 'department_id' }, columns: [s('id'), s('rating'), s('feedback'), s('ticketId'), s('ticketNumber'), s('departmentId'), s('contactId'), t('ratedTime'), person('agent')] },
  { report: 'departments', table: 'departments', key: ['id'], columns: [s('id'), s('name'), b('isEnabled'), b('isDefault'), t('createdTime')] },
  { report: 'email-failures', table: 'email_failures', key: ['ticketId', 'threadId'], parent: { scope: 'department', column: 'department_id' }, columns: [s('ticketId'), s('ticketNumber'), s('threadId'), s('departmentId'), s('departmentName'), s('channel'), s('subject'), s('reason'), s('errorMessage'), t('createdTime'), person('assignee')] },
  { report: 'pending-approvals', table: 'pending_approvals', key: ['id'], parent: { scope: 'ticket', column: 'ticket_id' }, columns: [s('id'), s('subject'), s('status'), t('requestedTime'), t('processedTime'), person('requester'), person('approver')] },
  { report: 'queue', table: 'queue', key: ['id'], columns: TICKET_COLUMNS.filter((c) => c.name !== 'modifiedTime') },
  { report: 'threads', table: 'threads', key: ['id'], parent: { scope: 'ticket', column: 'ticket_id' }, columns: [s('id'), s('channel'), s('direction'), s('status'), s('summary'), b('isDescriptionThread'), t('createdTime'), person('author', ['id', 'name', 'type'])] },
  { report: 'ticket-tags', table: 'ticket_tags', key: ['id'], parent: { scope: 'department', column: 'department_id' }, columns: [s('id'), s('name'), s('tagType'), s('ticketCount'), t('createdTime')] },
  { report: 'ticket-time-entries', table: 'ticket_time_entries', key: ['id'], versionedBy: 'modifiedTime', parent: { scope: 'ticket', column: 'ticket_id' }, columns: TIME_ENTRY_COLUMNS },
  { report: 'tickets', table: 'tickets', key: ['id'], versionedBy: 'modifiedTime', columns: TICKET_COLUMNS },
];

/** A column's type in a table: in the Glue catalogue (Hive) or in DuckDB. */
export function columnType(type: ColumnType, engine: 'hive' | 'duckdb'): string {
  const hive = engine === 'hive';
  if (type === 'boolean') return hive ? 'boolean' : 'BOOLEAN';
  if (type === 'string[]') return hive ? 'array<string>' : 'VARCHAR[]';
  if (typeof type === 'object') {
    return hive
      ? `struct<${type.struct.map((f) => `${f.toLowerCase()}:string`).join(',')}>`
      : `STRUCT(${type.struct.map((f) => `"${f}" VARCHAR`).join(', ')})`;
  }
  return hive ? 'string' : 'VARCHAR';
}

/** createdTime → created_time */
export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
