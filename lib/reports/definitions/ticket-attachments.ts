import { b, i, j, ordered, s, t } from '../fields.js';
import { CHANGED, defineReport, TICKET, ticketParam } from '../kit.js';

export const ticketAttachments = defineReport({
  id: 'ticket-attachments',
  current: 'per-parent',
  // The ticket does not count its attachments (Search.json's ticket has no attachmentCount): a call per changed ticket.
  optIn: 'a call for every changed ticket (every ticket on its first run, about as many credits as threads), and one per file copied',
  // Each file is copied into attachments/<org>/ticket=<id>/<attachment id>/<name>, once, up to ZOHO_ATTACHMENT_MAX_MB.
  files: { endpoint: 'attachmentContent' },
  description: 'the files attached to each ticket: name, size, who attached it, when, its link, and the file itself',
  endpoint: 'ticketAttachments',
  fanOut: 'changed-parent',
  edition: 'any',
  parent: TICKET,
  params: [ticketParam(CHANGED)],
  request: (p) => ({ endpoint: 'ticketAttachments', path: { ticketId: p.ticketId ?? '' }, query: { sortBy: 'createdTime' } }),
  table: {
    // GET /tickets/{ticketId}/attachments: TicketAttachment.json@83b5c18 attachmentResponse (+ creator with include)
    fields: ordered([s('id'), s('name'), i('size'), b('isPublic'), s('creatorId'), t('createdTime'), s('href')], [j('creator'), s('previewurl')]),
  },
});
