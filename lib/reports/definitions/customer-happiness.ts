import { s, t, person, ordered } from '../fields.js';
import { defineReport, DEPARTMENT, departmentParam } from '../kit.js';

export const customerHappiness = defineReport({
  id: 'customer-happiness',
  current: 'snapshot',
  description: 'customer happiness ratings',
  endpoint: 'customerHappiness',
  fanOut: 'department',
  edition: 'Professional',
  parent: DEPARTMENT,
  params: [departmentParam('ratings')],
  request: (p) => ({ endpoint: 'customerHappiness', query: { department: p.departmentId } }),
  table: {
    // GET /customerHappiness: not in the OAS (CustomerHappiness.json@83b5c18 has only /customerHappinessLinkHolder).
    // The fields are the simulator's; third-party clients confirm id, rating (GOOD|OK|BAD) and ratedTime.
    fields: ordered(
      [s('id'), s('rating'), s('feedback'), s('ticketId'), s('ticketNumber'), s('departmentId'), s('contactId'), t('ratedTime'), person('agent')],
      [],
    ),
  },
});
