import { ordered, TICKET_FIRST, TICKET_REST } from '../fields.js';
import { defineReport, AFTER, windowScope } from '../kit.js';

export const tickets = defineReport({
  id: 'tickets',
  current: 'changes',
  readFirst: true,
  changeWindows: true,
  binType: 'Tickets',
  description: 'tickets modified since the last complete run (all on the first)',
  endpoint: 'ticketSearch',
  fanOut: 'pages',
  edition: 'any',
  params: [
    { name: 'since', kind: 'time', description: 'only tickets modified since then', default: 'since the last complete run (all on the first)' },
    { name: 'until', kind: 'time', description: 'end of the since-window', default: 'when the run starts', internal: true },
    { name: 'window', kind: 'number', description: 'which time window of the run', internal: true },
    AFTER,
  ],
  // Always the search, oldest change first, in time windows small enough for its `from` cap.
  request: (p) => ({
    endpoint: 'ticketSearch',
    query: {
      modifiedTimeRange: `${p.after ?? p.since ?? '2000-01-01T00:00:00.000Z'},${p.until ?? new Date().toISOString()}`,
      sortBy: 'modifiedTime',
    },
  }),
  scope: windowScope,
  seek: (p) => ({ field: 'modifiedTime', after: p.after ?? p.since ?? '2000-01-01T00:00:00.000Z' }),
  holdsTickets: true,
  callNote: '?modifiedTimeRange=… (in time windows)',
  table: {
    // GET /tickets/search: Search.json@83b5c18 searchTicketResponseFields
    fields: ordered(TICKET_FIRST, TICKET_REST),
    versionedBy: 'modifiedTime',
    module: 'tickets',
  },
});
