/** PLACEHOLDER until the field catalogue lands: today's columns as typed fields. */
export type FieldType = 'string' | 'integer' | 'decimal' | 'boolean' | 'time' | 'date' | 'json' | 'string[]';
export interface FieldSpec {
  name: string;
  type: FieldType;
  flatten?: readonly string[];
}
const s = (name: string): FieldSpec => ({ name, type: 'string' });
const i = (name: string): FieldSpec => ({ name, type: 'integer' });
const b = (name: string): FieldSpec => ({ name, type: 'boolean' });
const t = (name: string): FieldSpec => ({ name, type: 'time' });
const j = (name: string, flatten?: readonly string[]): FieldSpec => ({ name, type: 'json', ...(flatten ? { flatten } : {}) });
const person = (name: string) => j(name, ['id', 'name']);
const TICKET: FieldSpec[] = [
  s('id'), s('ticketNumber'), s('subject'), s('status'), s('statusType'), s('channel'), s('priority'), s('departmentId'),
  s('contactId'), s('accountId'), s('assigneeId'), t('createdTime'), t('modifiedTime'), t('closedTime'), t('dueDate'),
  t('customerResponseTime'), i('threadCount'), i('approvalCount'), b('isSpam'), b('isArchived'), s('webUrl'), j('cf'),
];
const TIME_ENTRY: FieldSpec[] = [
  s('id'), s('requestId'), s('ownerId'), s('departmentId'), t('executedTime'), t('createdTime'), t('modifiedTime'),
  i('hoursSpent'), i('minutesSpent'), i('secondsSpent'), b('isBillable'), s('billingType'), { name: 'totalCost', type: 'decimal' }, s('description'),
];
export const REPORT_FIELDS: Readonly<Record<string, readonly FieldSpec[]>> = {
  accounts: [s('id'), s('accountName'), s('website'), s('email'), s('phone'), s('ownerId'), t('createdTime'), t('modifiedTime'), j('cf')],
  agents: [s('id'), s('name'), s('firstName'), s('lastName'), s('emailId'), s('status'), s('roleId'), s('profileId'), b('isConfirmed'), { name: 'associatedDepartmentIds', type: 'string[]' }],
  'agent-time-entries': TIME_ENTRY,
  calls: [s('id'), s('subject'), s('departmentId'), s('contactId'), s('ticketId'), s('ownerId'), s('direction'), s('status'), i('duration'), b('isCompleted'), t('startTime'), t('createdTime'), t('modifiedTime'), j('cf')],
  contacts: [s('id'), s('firstName'), s('lastName'), s('email'), s('phone'), s('accountId'), s('ownerId'), b('isSpam'), t('createdTime'), j('cf')],
  'customer-happiness': [s('id'), s('rating'), s('feedback'), s('ticketId'), s('ticketNumber'), s('departmentId'), s('contactId'), t('ratedTime'), person('agent')],
  departments: [s('id'), s('name'), b('isEnabled'), b('isDefault'), t('createdTime')],
  'email-failures': [s('ticketId'), s('ticketNumber'), s('threadId'), s('departmentId'), s('departmentName'), s('channel'), s('subject'), s('reason'), s('errorMessage'), t('createdTime'), person('assignee')],
  'organization-fields': [s('id'), s('apiName'), s('displayLabel'), s('type'), b('isCustomField'), b('isMandatory'), j('allowedValues')],
  'pending-approvals': [s('id'), s('subject'), s('status'), t('requestedTime'), t('processedTime'), person('requester'), person('approver')],
  queue: TICKET.filter((c) => c.name !== 'modifiedTime'),
  threads: [s('id'), s('channel'), s('direction'), s('status'), s('summary'), b('isDescriptionThread'), t('createdTime'), j('author', ['id', 'name', 'type'])],
  'ticket-tags': [s('id'), s('name'), s('tagType'), i('ticketCount'), t('createdTime')],
  'ticket-time-entries': TIME_ENTRY,
  tickets: TICKET,
};
