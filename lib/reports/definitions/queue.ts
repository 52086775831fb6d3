import { ordered, TICKET_FIRST, TICKET_REST } from '../fields.js';
import { defineReport, windowScope, deep, seekCreated, departmentParam, WINDOW_PARAMS } from '../kit.js';

export const queue = defineReport({
  id: 'queue',
  current: 'snapshot',
  binType: 'Tickets',
  description: 'tickets in a status (a queue view)',
  endpoint: 'tickets',
  fanOut: 'pages',
  edition: 'Professional',
  params: [
    { name: 'status', kind: 'ticket-status', description: 'ticket status, or a comma list', default: 'Open' },
    departmentParam('tickets'),
    ...WINDOW_PARAMS,
  ],
  deepRead: { endpoint: 'ticketSearch', filters: (p) => ({ status: p.status ?? 'Open', departmentId: p.departmentId }) },
  request: deep(
    'ticketSearch',
    (p) => ({ status: p.status ?? 'Open', departmentId: p.departmentId }),
    (p) => ({ endpoint: 'tickets', query: { status: p.status ?? 'Open', departmentId: p.departmentId, sortBy: 'createdTime' } }),
  ),
  scope: windowScope,
  seek: seekCreated,
  callNote: '?status=…',
  table: {
    // GET /tickets and /tickets/search (deep queues): Ticket.json@83b5c18 listviewJson (+ include objects),
    // Search.json@83b5c18 searchTicketResponseFields: the same fields as tickets, modifiedTime among the rest
    fields: ordered(
      TICKET_FIRST.filter((f) => f.name !== 'modifiedTime'),
      [...TICKET_REST, ...TICKET_FIRST.filter((f) => f.name === 'modifiedTime')],
    ),
    module: 'tickets',
  },
});
