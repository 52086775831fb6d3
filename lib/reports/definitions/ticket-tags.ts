import { s, i, t, ordered } from '../fields.js';
import { defineReport, DEPARTMENT, departmentParam } from '../kit.js';

export const ticketTags = defineReport({
  id: 'ticket-tags',
  current: 'snapshot',
  description: 'ticket tags of each department',
  endpoint: 'ticketTags',
  fanOut: 'department',
  edition: 'any',
  parent: DEPARTMENT,
  params: [departmentParam('tags')],
  request: (p) => ({ endpoint: 'ticketTags', query: { departmentId: p.departmentId } }),
  table: {
    // GET /ticketTags: TicketTag.json@83b5c18 getTicketTagJson; createdTime is the simulator's
    fields: ordered([s('id'), s('name'), s('tagType'), i('ticketCount'), t('createdTime')], []),
  },
});
