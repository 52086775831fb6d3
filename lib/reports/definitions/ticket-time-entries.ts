import { TIME_ENTRY_FIELDS } from '../fields.js';
import { defineReport, TICKET, ticketParam, CHANGED } from '../kit.js';

export const ticketTimeEntries = defineReport({
  id: 'ticket-time-entries',
  current: 'per-parent',
  binType: 'Time Entry',
  description: 'time logged on each ticket',
  endpoint: 'ticketTimeEntries',
  fanOut: 'changed-parent',
  edition: 'Professional',
  parent: TICKET,
  params: [ticketParam(CHANGED)],
  request: (p) => ({ endpoint: 'ticketTimeEntries', path: { ticketId: p.ticketId ?? '' } }),
  table: {
    // GET /tickets/{ticketId}/timeEntry: TicketTimeEntry.json@83b5c18 listTicketTimeEntryResponse
    fields: TIME_ENTRY_FIELDS,
    versionedBy: 'modifiedTime',
  },
});
