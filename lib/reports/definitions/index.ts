import { articles } from './articles.js';
import { contracts } from './contracts.js';
import { layouts } from './layouts.js';
import { products } from './products.js';
import { profiles } from './profiles.js';
import { roles } from './roles.js';
import { teams } from './teams.js';
import { accounts } from './accounts.js';
import { agentTimeEntries } from './agent-time-entries.js';
import { agents } from './agents.js';
import { callComments } from './call-comments.js';
import { calls } from './calls.js';
import { contacts } from './contacts.js';
import { customerHappiness } from './customer-happiness.js';
import { departments } from './departments.js';
import { emailFailures } from './email-failures.js';
import { events } from './events.js';
import { organizationFields } from './organization-fields.js';
import { pendingApprovals } from './pending-approvals.js';
import { queue } from './queue.js';
import { recycleBin } from './recycle-bin.js';
import { tasks } from './tasks.js';
import { threadContents } from './thread-contents.js';
import { threads } from './threads.js';
import { ticketAttachments } from './ticket-attachments.js';
import { ticketComments } from './ticket-comments.js';
import { ticketHistory } from './ticket-history.js';
import { ticketTags } from './ticket-tags.js';
import { ticketTimeEntries } from './ticket-time-entries.js';
import { tickets } from './tickets.js';
import type { ReportDefinition } from '../definition.js';

/** Every report, in the order `reports` lists them: a new report is a file here and a line in this list. */
export const DEFINITIONS: readonly ReportDefinition[] = [
  accounts,
  agents,
  agentTimeEntries,
  articles,
  calls,
  callComments,
  contacts,
  contracts,
  customerHappiness,
  departments,
  emailFailures,
  events,
  layouts,
  organizationFields,
  recycleBin,
  pendingApprovals,
  products,
  profiles,
  queue,
  roles,
  tasks,
  teams,
  threads,
  threadContents,
  ticketAttachments,
  ticketComments,
  ticketHistory,
  ticketTags,
  ticketTimeEntries,
  tickets,
];
