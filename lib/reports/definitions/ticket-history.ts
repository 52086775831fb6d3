import { j, ordered, person, s, t } from '../fields.js';
import { CHANGED, defineReport, KEY_CONTENT, KEY_PARENT, TICKET, ticketParam } from '../kit.js';

export const ticketHistory = defineReport({
  id: 'ticket-history',
  current: 'per-parent',
  // Its events have no id: one is its ticket and its whole content (an event is never edited). Two identical
  // events of one ticket are one row.
  key: [KEY_PARENT, KEY_CONTENT],
  optIn: "a call for every changed ticket, reading its whole history each time (every ticket's on its first run)",
  description: 'the history of each ticket: who changed what and when (created, updated, threads added…)',
  endpoint: 'ticketHistory',
  callNote: " (not in Zoho's OpenAPI spec: a portal that does not serve it has it recorded as unavailable)",
  fanOut: 'changed-parent',
  edition: 'any',
  parent: TICKET,
  params: [ticketParam(CHANGED)],
  request: (p) => ({ endpoint: 'ticketHistory', path: { ticketId: p.ticketId ?? '' } }),
  table: {
    // TicketHistory.json@3f7016e singleCaseHistoryRespns (its example's times epoch milliseconds; a time column
    // reads both). eventInfo and actorInfo are lists of {propertyName, propertyType, systemProperty, propertyValue}.
    fields: ordered([t('eventTime'), s('eventName'), person('actor', ['id', 'name', 'type']), s('source')], [j('actorInfo'), j('eventInfo')]),
  },
});
