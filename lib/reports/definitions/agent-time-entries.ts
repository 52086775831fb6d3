import { TIME_ENTRY_FIELDS } from '../fields.js';
import { defineReport, windowScope, AGENT } from '../kit.js';

export const agentTimeEntries = defineReport({
  // A time entry's requestId is its ticket (TicketTimeEntry.json); a task's entry never matches a ticket's id.
  id: 'agent-time-entries',
  current: 'changes',
  rangeFromCursor: true,
  binType: 'Time Entry',
  ticketField: 'requestId',
  description: 'time logged by each agent',
  endpoint: 'agentTimeEntries',
  fanOut: 'agent',
  edition: 'Professional',
  parent: AGENT,
  params: [
    { name: 'agentId', kind: 'id', description: 'only this agent', default: 'every agent' },
    { name: 'since', kind: 'time', description: 'only entries modified since then', default: 'since the last complete run (all on the first)' },
    { name: 'until', kind: 'time', description: 'end of the since-window', default: 'when the run starts', internal: true },
    { name: 'window', kind: 'number', description: 'which time window of an agent with many entries', internal: true },
  ],
  // An agent's entries are split into modifiedTime windows when there are more than the list can page through.
  scope: (p) => (p.agentId ? `agent=${p.agentId}/${windowScope(p)}` : ''),
  request: (p) => ({
    endpoint: 'agentTimeEntries',
    path: { agentId: p.agentId ?? '' },
    query: { modifiedTimeRange: p.since ? `${p.since},${p.until ?? new Date().toISOString()}` : undefined },
  }),
  table: {
    // GET /agents/{agentId}/timeEntry: AgentTimeEntry.json@83b5c18 listTicketTimeEntryForAgentResponse | listActivityTimeEntryForAgentResponse
    fields: TIME_ENTRY_FIELDS,
    versionedBy: 'modifiedTime',
  },
});
