import { accounts } from './accounts.js';
import { agentTimeEntries } from './agent-time-entries.js';
import { agents } from './agents.js';
import { calls } from './calls.js';
import { contacts } from './contacts.js';
import { customerHappiness } from './customer-happiness.js';
import { departments } from './departments.js';
import { emailFailures } from './email-failures.js';
import { organizationFields } from './organization-fields.js';
import { pendingApprovals } from './pending-approvals.js';
import { queue } from './queue.js';
import { recycleBin } from './recycle-bin.js';
import { threads } from './threads.js';
import { ticketComments } from './ticket-comments.js';
import { ticketTags } from './ticket-tags.js';
import { ticketTimeEntries } from './ticket-time-entries.js';
import { tickets } from './tickets.js';
import type { ReportDefinition } from '../definition.js';

/** Every report, in the order `reports` lists them: a new report is a file here and a line in this list. */
export const DEFINITIONS: readonly ReportDefinition[] = [
  accounts,
  agents,
  agentTimeEntries,
  calls,
  contacts,
  customerHappiness,
  departments,
  emailFailures,
  organizationFields,
  recycleBin,
  pendingApprovals,
  queue,
  threads,
  ticketComments,
  ticketTags,
  ticketTimeEntries,
  tickets,
];
