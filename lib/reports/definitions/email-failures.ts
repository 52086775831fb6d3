import { s, t, person, ordered } from '../fields.js';
import { defineReport, DEPARTMENT, departmentParam } from '../kit.js';

export const emailFailures = defineReport({
  id: 'email-failures',
  current: 'snapshot',
  key: ['ticketId', 'threadId'],
  description: 'email delivery failure alerts',
  endpoint: 'emailFailureAlerts',
  fanOut: 'department',
  edition: 'any',
  parent: DEPARTMENT,
  params: [departmentParam('alerts')],
  request: (p) => ({ endpoint: 'emailFailureAlerts', query: { department: p.departmentId } }),
  table: {
    // GET /emailFailureAlerts: EmailFailureAlert.json@83b5c18 commonKeys. No id of its own; createdTime is the
    // simulator's (the spec gives an alert no time). The spec's assignee has firstName/lastName, not name.
    fields: ordered(
      [
        s('ticketId'),
        s('ticketNumber'),
        s('threadId'),
        s('departmentId'),
        s('departmentName'),
        s('channel'),
        s('subject'),
        s('reason'),
        s('errorMessage'),
        t('createdTime'),
        person('assignee'),
      ],
      [],
    ),
  },
});
