import type { CallComment } from './call-comments.js';
import type { Edition } from '../zoho/editions.js';
import { type Activity, generateActivities } from './activities.js';
import { type Catalogue, generateCatalogue } from './catalogue.js';
import { Random } from './random.js';
import { FIRST_NAMES, LAST_NAMES, COMPANIES, SUBJECTS, TAG_NAMES, DEPARTMENT_NAMES } from './words.js';

/**
 * The simulated portal's data, kept compact (times as epoch ms, references as ids) and turned into Zoho's
 * JSON shapes only when served (see shapes.ts). Threads are generated per ticket on demand from the seed,
 * so a 100k-ticket portal does not hold half a million threads in memory.
 */

export type { Edition };

export interface Department {
  id: string;
  name: string;
  createdTime: number;
  creatorId: string;
  isDefault: boolean;
}
export interface Agent {
  id: string;
  zuid: string;
  firstName: string;
  lastName: string;
  status: 'ACTIVE' | 'DISABLED';
  departmentIds: string[];
  roleId: string;
  profileId: string;
}
export interface Account {
  id: string;
  accountName: string;
  website: string;
  createdTime: number;
  modifiedTime: number;
  ownerId: string;
}
/** `modifiedTime` is set when evolve edits the contact; until then it is its createdTime. */
export interface Contact {
  id: string;
  firstName: string;
  lastName: string;
  accountId: string | null;
  createdTime: number;
  ownerId: string;
  modifiedTime?: number;
}
export interface Ticket {
  index: number;
  id: string;
  ticketNumber: number;
  subject: string;
  status: string;
  statusType: 'Open' | 'On Hold' | 'Closed';
  departmentId: string;
  contactId: string;
  accountId: string | null;
  assigneeId: string | null;
  channel: string;
  priority: string | null;
  createdTime: number;
  modifiedTime: number;
  closedTime: number | null;
  dueDate: number | null;
  /** threads generated from the seed; later additions live in Portal.addedThreads */
  baseThreads: number;
  /** the generated threads' latest time: the ticket's modifiedTime when made (a thread never moves when it is edited later) */
  threadsUntil: number;
  approvalCount: number;
}
export interface Thread {
  id: string;
  ticketId: string;
  direction: 'in' | 'out';
  channel: string;
  authorId: string;
  authorType: 'END_USER' | 'AGENT';
  createdTime: number;
  summary: string;
  isDescriptionThread: boolean;
}
export interface TimeEntry {
  id: string;
  ticketId: string;
  ownerId: string;
  departmentId: string;
  executedTime: number;
  createdTime: number;
  modifiedTime: number;
  seconds: number;
  billable: boolean;
}
export interface Approval {
  id: string;
  ticketId: string;
  subject: string;
  status: 'Pending' | 'Approved' | 'Rejected';
  requesterId: string;
  approverId: string;
  requestedTime: number;
  processedTime: number | null;
}
export interface Call {
  id: string;
  subject: string;
  departmentId: string;
  contactId: string;
  ticketId: string | null;
  ownerId: string;
  direction: 'inbound' | 'outbound';
  startTime: number;
  durationSeconds: number;
  createdTime: number;
  modifiedTime: number;
  isCompleted: boolean;
}
export interface Rating {
  id: string;
  ticketId: string;
  departmentId: string;
  contactId: string;
  agentId: string | null;
  rating: 'GOOD' | 'OK' | 'BAD';
  ratedTime: number;
  feedback: string | null;
}
export interface EmailFailure {
  ticketId: string;
  threadId: string;
  departmentId: string;
  channel: string;
  subject: string;
  reason: string;
  createdTime: number;
  assigneeId: string | null;
}
export interface Tag {
  id: string;
  name: string;
  departmentId: string;
  createdTime: number;
}
/** Modules whose records the simulated portal can move to the recycle bin, with Zoho's `type` for each (Recyclebin.json). */
export type BinType = 'Tickets' | 'Contacts' | 'Accounts' | 'Calls' | 'Time Entry';
/** A record in the recycle bin: its own id, as the bin lists it (deletedTime in ms). */
export interface BinItem {
  id: string;
  type: BinType;
  displayName: string;
  deletedTime: number;
  deletedById: string;
  departmentId: string | null;
}

export interface Portal {
  seed: number;
  org: { id: string; companyName: string; portalName: string; edition: Edition; createdTime: number };
  departments: Department[];
  agents: Agent[];
  accounts: Account[];
  contacts: Contact[];
  tickets: Ticket[];
  ticketsById: Map<string, Ticket>;
  agentsById: Map<string, Agent>;
  contactsById: Map<string, Contact>;
  departmentsById: Map<string, Department>;
  timeEntries: TimeEntry[];
  approvals: Approval[];
  calls: Call[];
  ratings: Rating[];
  emailFailures: EmailFailure[];
  tags: Tag[];
  /** tasks and events (activities.ts), generated with the portal */
  activities: Activity[];
  /** products, contracts and knowledge-base articles (catalogue.ts), generated with the portal */
  catalogue: Catalogue;
  /** threads added after generation (evolve), by ticket id */
  addedThreads: Map<string, Thread[]>;
  /** call comments added after generation (evolve), by call id */
  addedCallComments: Map<string, CallComment[]>;
  /**
   * Ids of records in the recycle bin or deleted for good (spam, purged): every route leaves them out, and a
   * trashed ticket's children with it. Records stay in their arrays, so a restore puts them back in place.
   */
  hidden: Set<string>;
  /** the recycle bin, in the order records were moved there */
  bin: BinItem[];
  /** custom field values set after generation (evolve), by record id; the rest derive from the seed */
  cfEdits: Map<string, Record<string, string | null>>;
  /** next sequence number per kind of record, for ids of records created later */
  sequences: Record<IdKind, number>;
  idPrefix: string;
  /** where its Desk API answers (the server's address once it listens): the host of the links it gives (hrefs) */
  deskUrl: string;
  /** options that shape generated records after the start */
  shape: { threadsPerTicket: number | undefined; threadBytes: number | undefined };
}

export interface DatasetOptions {
  seed: number;
  /** number of tickets; everything else is sized from it */
  tickets: number;
  edition: Edition;
  /** the portal's "now": history runs up to here */
  now: number;
  /** days of history before `now` */
  historyDays?: number;
  /** every ticket gets this many threads (default: 1 to 6) */
  threadsPerTicket?: number;
  /** thread summaries padded to about this many bytes (default: a sentence) */
  threadBytes?: number;
  /** contacts in the portal (default: 5 + half the tickets) — more than a list can page through, to test that */
  contacts?: number;
  /** agents in the portal (default: from the tickets, at most 80) */
  agents?: number;
  /** the first agent also logs this many time entries over the history (a heavy time tracker) */
  busyAgentEntries?: number;
  /** the org id (default: drawn from the seed); the rest of the portal is the same either way */
  orgId?: string;
}

// Zoho ids are 19-digit strings sharing an org prefix; each kind of record gets its own sequence range.
const ID_BASES = {
  department: 1_000_000,
  agent: 2_000_000,
  role: 3_000_000,
  account: 10_000_000,
  contact: 20_000_000,
  ticket: 100_000_000,
  tag: 40_000_000,
  timeEntry: 200_000_000,
  approval: 300_000_000,
  call: 400_000_000,
  rating: 500_000_000,
  field: 600_000_000,
  module: 700_000_000,
  thread: 100_000_000_000,
  comment: 200_000_000_000,
  attachment: 300_000_000_000,
  task: 800_000_000,
  event: 900_000_000,
  profile: 3_500_000,
  team: 4_500_000,
  product: 50_000_000,
  contract: 60_000_000,
  article: 70_000_000,
} as const;
export type IdKind = keyof typeof ID_BASES;

export function makeId(prefix: string, kind: IdKind, n: number): string {
  return `${prefix}${String(ID_BASES[kind] + n).padStart(12, '0')}`;
}

/** Threads one ticket can have: ids are derived from the ticket and n < this. */
export const MAX_THREADS_PER_TICKET = 100_000;

/** A ticket's n-th thread: ids derived from the ticket so lazily generated threads are stable. */
export function threadId(portal: Portal, ticket: Ticket, n: number): string {
  return makeId(portal.idPrefix, 'thread', ticket.index * MAX_THREADS_PER_TICKET + n);
}

const DAY = 86_400_000;

/** The first draws of a portal's seed: its id prefix, company and org id. */
function drawOrg(rnd: Random): { idPrefix: string; company: string; orgId: string } {
  const idPrefix = String(rnd.int(1_000_000, 9_999_999));
  const company = rnd.pick(COMPANIES);
  return { idPrefix, company, orgId: String(rnd.int(600_000_000, 999_999_999)) };
}

/** The org id generatePortal draws from this seed, without generating the portal. */
export function generatedOrgId(seed: number): string {
  return drawOrg(new Random(seed)).orgId;
}

export function generatePortal(options: DatasetOptions): Portal {
  const rnd = new Random(options.seed);
  const historyMs = (options.historyDays ?? 365) * DAY;
  const start = options.now - historyMs;
  const drawn = drawOrg(rnd);
  const idPrefix = drawn.idPrefix;
  const sequences = Object.fromEntries(Object.keys(ID_BASES).map((k) => [k, 0])) as Record<IdKind, number>;
  const next = (kind: IdKind) => makeId(idPrefix, kind, ++sequences[kind]);
  const size = Math.max(0, Math.floor(options.tickets));
  const when = (from: number, to: number) => (to <= from ? from : rnd.int(Math.floor(from / 1000), Math.floor(to / 1000)) * 1000);

  const company = drawn.company;
  const org = {
    id: options.orgId ?? drawn.orgId,
    companyName: company,
    portalName: company.toLowerCase().replace(/[^a-z0-9]/g, ''),
    edition: options.edition,
    createdTime: start - 30 * DAY,
  };

  const departmentCount = Math.min(DEPARTMENT_NAMES.length, 2 + Math.floor(size / 1500));
  const founder = makeId(idPrefix, 'agent', 1);
  const departments: Department[] = DEPARTMENT_NAMES.slice(0, departmentCount).map((name, i) => ({
    id: next('department'),
    name,
    createdTime: org.createdTime + i * DAY,
    creatorId: founder,
    isDefault: i === 0,
  }));
  const departmentIds = departments.map((d) => d.id);

  const agentCount = options.agents ?? Math.min(80, 4 + Math.floor(size / 120));
  const roleId = next('role');
  const agents: Agent[] = Array.from({ length: agentCount }, (_, i) => ({
    id: next('agent'),
    zuid: String(700_000_000 + rnd.int(0, 99_999_999)),
    firstName: rnd.pick(FIRST_NAMES),
    lastName: rnd.pick(LAST_NAMES),
    status: i > 2 && rnd.chance(0.1) ? 'DISABLED' : 'ACTIVE',
    departmentIds: i === 0 ? departmentIds : departmentIds.filter(() => rnd.chance(0.6)).concat(),
    roleId,
    profileId: roleId,
  }));
  for (const agent of agents) if (agent.departmentIds.length === 0) agent.departmentIds.push(rnd.pick(departmentIds));
  const activeAgents = agents.filter((a) => a.status === 'ACTIVE');

  const accountCount = 3 + Math.floor(size / 10);
  const accounts: Account[] = Array.from({ length: accountCount }, () => {
    const created = when(start - 60 * DAY, options.now - DAY);
    const name = `${rnd.pick(COMPANIES)} ${rnd.pick(['Ltd', 'GmbH', 'Inc', 'BV', 'SA', 'Oy', 'KK'])}`;
    return {
      id: next('account'),
      accountName: name,
      website: `https://www.${name.toLowerCase().replace(/[^a-z]/g, '')}.example`,
      createdTime: created,
      modifiedTime: when(created, options.now),
      ownerId: rnd.pick(agents).id,
    };
  });

  const contactCount = options.contacts ?? 5 + Math.floor(size / 2);
  const contacts: Contact[] = Array.from({ length: contactCount }, () => ({
    id: next('contact'),
    firstName: rnd.pick(FIRST_NAMES),
    lastName: rnd.pick(LAST_NAMES),
    accountId: rnd.chance(0.7) ? rnd.pick(accounts).id : null,
    createdTime: when(start - 30 * DAY, options.now - DAY),
    ownerId: rnd.pick(agents).id,
  }));

  const portal: Portal = {
    seed: options.seed,
    org,
    departments,
    agents,
    accounts,
    contacts,
    tickets: [],
    ticketsById: new Map(),
    agentsById: new Map(agents.map((a) => [a.id, a])),
    contactsById: new Map(contacts.map((c) => [c.id, c])),
    departmentsById: new Map(departments.map((d) => [d.id, d])),
    timeEntries: [],
    approvals: [],
    calls: [],
    ratings: [],
    emailFailures: [],
    tags: [],
    activities: [],
    catalogue: { products: [], contracts: [], articles: [] },
    addedThreads: new Map(),
    addedCallComments: new Map(),
    hidden: new Set(),
    bin: [],
    cfEdits: new Map(),
    sequences,
    idPrefix,
    deskUrl: 'https://desk.zoho.com',
    shape: { threadsPerTicket: options.threadsPerTicket, threadBytes: options.threadBytes },
  };

  const createdTimes = Array.from({ length: size }, () => when(start, options.now - 60_000)).sort((a, b) => a - b);
  for (const created of createdTimes) addTicket(portal, rnd, created, options.now);

  for (const department of departments) {
    const count = 4 + rnd.int(0, 10);
    for (let i = 0; i < count; i += 1) {
      portal.tags.push({
        id: next('tag'),
        name: `${rnd.pick(TAG_NAMES)}-${i + 1}`,
        departmentId: department.id,
        createdTime: when(start, options.now),
      });
    }
  }

  const busy = agents[0];
  for (let i = 0; busy && portal.tickets.length && i < (options.busyAgentEntries ?? 0); i += 1) {
    const ticket = rnd.pick(portal.tickets);
    const executed = when(start, options.now - 60_000);
    portal.timeEntries.push({
      id: makeId(idPrefix, 'timeEntry', ++sequences.timeEntry),
      ticketId: ticket.id,
      ownerId: busy.id,
      departmentId: ticket.departmentId,
      executedTime: executed,
      createdTime: executed,
      modifiedTime: executed,
      seconds: rnd.int(5, 60) * 60,
      billable: rnd.chance(0.4),
    });
  }

  for (let i = 0; i < Math.floor(size / 2); i += 1) {
    const contact = rnd.pick(contacts);
    const created = when(start, options.now - 60_000);
    const ticket = portal.tickets.length && rnd.chance(0.5) ? rnd.pick(portal.tickets) : null;
    portal.calls.push({
      id: next('call'),
      subject: `Call with ${contact.firstName} ${contact.lastName}`,
      departmentId: ticket?.departmentId ?? rnd.pick(departmentIds),
      contactId: contact.id,
      ticketId: ticket?.id ?? null,
      ownerId: rnd.pick(activeAgents.length ? activeAgents : agents).id,
      direction: rnd.chance(0.6) ? 'inbound' : 'outbound',
      startTime: created,
      durationSeconds: rnd.int(30, 3600),
      createdTime: created,
      modifiedTime: when(created, options.now),
      isCompleted: rnd.chance(0.85),
    });
  }
  portal.activities = generateActivities(portal, options.now);
  portal.catalogue = generateCatalogue(portal, options.now);
  return portal;
}

const STATUSES: ReadonlyArray<readonly [[string, Ticket['statusType']], number]> = [
  [['Open', 'Open'], 25],
  [['On Hold', 'On Hold'], 8],
  [['Escalated', 'Open'], 4],
  [['Closed', 'Closed'], 63],
];
const CHANNELS: ReadonlyArray<readonly [string, number]> = [
  ['Email', 50],
  ['Web', 20],
  ['Phone', 15],
  ['Chat', 10],
  ['Twitter', 5],
];
const PRIORITIES = ['High', 'Medium', 'Low', null] as const;

/** Adds one ticket with its time entries, approvals, rating and delivery failures. Used by generation and evolve. */
export function addTicket(portal: Portal, rnd: Random, created: number, now: number): Ticket {
  const index = portal.tickets.length;
  const seq = ++portal.sequences.ticket;
  const [status, statusType] = rnd.weighted(STATUSES);
  const department = rnd.pick(portal.departments);
  const contact = rnd.pick(portal.contacts);
  const candidates = portal.agents.filter((a) => a.status === 'ACTIVE' && a.departmentIds.includes(department.id));
  const assignee = candidates.length && rnd.chance(0.85) ? rnd.pick(candidates) : null;
  // Modified up to 20 days after creation, never after now: spread out, not piled up at the present.
  const modified = created + rnd.int(0, Math.floor(Math.max(0, Math.min(20 * 24 * 3600 * 1000, now - created)) / 1000)) * 1000;
  const ticket: Ticket = {
    index,
    id: makeId(portal.idPrefix, 'ticket', seq),
    ticketNumber: 100 + seq,
    subject: rnd.pick(SUBJECTS),
    status,
    statusType,
    departmentId: department.id,
    contactId: contact.id,
    accountId: contact.accountId,
    assigneeId: assignee?.id ?? null,
    channel: rnd.weighted(CHANNELS),
    priority: rnd.pick(PRIORITIES),
    createdTime: created,
    modifiedTime: modified,
    closedTime: statusType === 'Closed' ? modified : null,
    dueDate: rnd.chance(0.5) ? created + 2 * DAY : null,
    baseThreads: portal.shape.threadsPerTicket ?? rnd.int(1, 6),
    threadsUntil: modified,
    approvalCount: 0,
  };
  portal.tickets.push(ticket);
  portal.ticketsById.set(ticket.id, ticket);

  const owner = () => (assignee ?? rnd.pick(portal.agents)).id;
  if (rnd.chance(0.25)) {
    for (let n = rnd.int(1, 3); n > 0; n -= 1) {
      const executed = Math.min(now, created + rnd.int(0, 5 * 24 * 3600) * 1000);
      portal.timeEntries.push({
        id: makeId(portal.idPrefix, 'timeEntry', ++portal.sequences.timeEntry),
        ticketId: ticket.id,
        ownerId: owner(),
        departmentId: department.id,
        executedTime: executed,
        createdTime: executed,
        modifiedTime: executed,
        seconds: rnd.int(5, 240) * 60,
        billable: rnd.chance(0.4),
      });
    }
  }
  if (rnd.chance(0.08)) {
    for (let n = rnd.int(1, 2); n > 0; n -= 1) {
      const pending = rnd.chance(0.5);
      portal.approvals.push({
        id: makeId(portal.idPrefix, 'approval', ++portal.sequences.approval),
        ticketId: ticket.id,
        subject: `Approve: ${ticket.subject}`,
        status: pending ? 'Pending' : rnd.pick(['Approved', 'Rejected'] as const),
        requesterId: owner(),
        approverId: rnd.pick(portal.agents).id,
        requestedTime: created + 3_600_000,
        processedTime: pending ? null : created + 7_200_000,
      });
      ticket.approvalCount += 1;
    }
  }
  if (statusType === 'Closed' && rnd.chance(0.4)) {
    portal.ratings.push({
      id: makeId(portal.idPrefix, 'rating', ++portal.sequences.rating),
      ticketId: ticket.id,
      departmentId: department.id,
      contactId: contact.id,
      agentId: assignee?.id ?? null,
      rating: rnd.weighted([
        ['GOOD', 70],
        ['OK', 20],
        ['BAD', 10],
      ] as const),
      ratedTime: Math.min(now, modified + 3_600_000),
      feedback: rnd.chance(0.3) ? 'Thanks for the quick help' : null,
    });
  }
  if (ticket.channel === 'Email' && rnd.chance(0.06)) {
    portal.emailFailures.push({
      ticketId: ticket.id,
      threadId: threadId(portal, ticket, 1),
      departmentId: department.id,
      channel: 'EMAIL',
      subject: ticket.subject,
      reason: rnd.pick(['Mailbox full', 'Recipient address rejected', 'Domain not found']),
      createdTime: Math.min(now, created + 600_000),
      assigneeId: assignee?.id ?? null,
    });
  }
  return ticket;
}

/** A ticket's threads: the ones generated from the seed (oldest first), then those added later. */
export function ticketThreads(portal: Portal, ticket: Ticket): Thread[] {
  const rnd = Random.derive(portal.seed, 7, ticket.index);
  const threads: Thread[] = [];
  let at = ticket.createdTime;
  for (let n = 1; n <= ticket.baseThreads; n += 1) {
    const incoming = n === 1 || rnd.chance(0.45);
    threads.push({
      id: threadId(portal, ticket, n),
      ticketId: ticket.id,
      direction: incoming ? 'in' : 'out',
      channel: ticket.channel.toUpperCase(),
      authorId: incoming || !ticket.assigneeId ? ticket.contactId : ticket.assigneeId,
      authorType: incoming ? 'END_USER' : 'AGENT',
      createdTime: at,
      summary: pad(`${rnd.pick(SUBJECTS)}. ${rnd.pick(SUBJECTS)}.`, portal.shape.threadBytes),
      isDescriptionThread: n === 1,
    });
    at = Math.min(ticket.threadsUntil, at + rnd.int(60, 36 * 3600) * 1000);
  }
  return threads.concat(portal.addedThreads.get(ticket.id) ?? []);
}

/** A sentence repeated to about `bytes` bytes: big threads for benchmarks. */
function pad(text: string, bytes: number | undefined): string {
  if (!bytes || bytes <= text.length) return text;
  return `${text} `.repeat(Math.ceil(bytes / (text.length + 1))).slice(0, bytes);
}

export function threadCount(portal: Portal, ticket: Ticket): number {
  return ticket.baseThreads + (portal.addedThreads.get(ticket.id)?.length ?? 0);
}
