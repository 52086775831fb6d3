import { s, t, person, ordered } from '../fields.js';
import { defineReport, TICKET, ticketParam } from '../kit.js';

export const pendingApprovals = defineReport({
  id: 'pending-approvals',
  current: 'per-parent',
  description: 'approvals still pending, per ticket',
  endpoint: 'ticketApprovals',
  fanOut: 'ticket-with-approvals',
  edition: 'any',
  parent: TICKET,
  carryParents: true,
  params: [
    ticketParam(
      'tickets with approvals changed since the last complete run, and a share of those pending then, so each is read again within ZOHO_RECONCILE_HOURS',
    ),
  ],
  request: (p) => ({ endpoint: 'ticketApprovals', path: { ticketId: p.ticketId ?? '' } }),
  // The endpoint takes no status filter (OAS 83b5c18), so the filter is ours.
  keep: (record) => record.status === 'Pending',
  callNote: ' (status Pending)',
  table: {
    // GET /tickets/{ticketId}/approvals: TicketApprovals.json@83b5c18 approvalDetails. The spec's approvalActor
    // has firstName/lastName, not name (the simulator sends name).
    fields: ordered(
      [s('id'), s('subject'), s('status'), t('requestedTime'), t('processedTime'), person('requester'), person('approver')],
      [s('description')],
    ),
  },
});
