import { callComments } from './call-comments.js';
import { iso } from './times.js';
import { cfValues } from './custom-fields.js';
import type {
  Account,
  Agent,
  Approval,
  BinItem,
  Call,
  Contact,
  Department,
  EmailFailure,
  Portal,
  Rating,
  Tag,
  Thread,
  Ticket,
  TimeEntry,
} from './dataset.js';
import { threadCount } from './dataset.js';
import { ticketComments } from './comments.js';

/**
 * Records in Zoho's JSON shapes and field names, taken from real recorded responses (tickets, threads,
 * agents, contacts, departments) and the official OAS schemas (time entries, approvals, email failures).
 * Ids and counters are strings, times ISO-8601 with milliseconds, as Zoho sends them.
 */

const webUrl = (portal: Portal, kind: string, id: string) =>
  `https://desk.zoho.com/support/${portal.org.portalName}/ShowHomePage.do#${kind}/dv/${id}`;
const SOURCE = { extId: null, appName: null, appPhotoURL: null, permalink: null, type: 'SYSTEM' };

export function organizationJson(portal: Portal) {
  const { org } = portal;
  return {
    id: org.id,
    companyName: org.companyName,
    portalName: org.portalName,
    portalURL: `https://desk.zoho.com/support/${org.portalName}`,
    edition: org.edition,
    isDefault: true,
    isAdminInOrg: true,
    isPayloadEncryptionEnabled: false,
    createdTime: iso(org.createdTime),
  };
}

export function departmentJson(d: Department) {
  return {
    id: d.id,
    name: d.name,
    description: null,
    createdTime: iso(d.createdTime),
    chatStatus: 'NOT_CREATED',
    nameInCustomerPortal: d.name,
    creatorId: d.creatorId,
    isEnabled: true,
    isDefault: d.isDefault,
    isAssignToTeamEnabled: false,
    isVisibleInCustomerPortal: true,
    hasLogo: false,
    sanitizedName: d.name.toLowerCase(),
  };
}

export function agentJson(portal: Portal, a: Agent) {
  return {
    zuid: a.zuid,
    emailId: `${a.firstName}.${a.lastName}@${portal.org.portalName}.example`.toLowerCase(),
    isConfirmed: true,
    status: a.status,
    roleId: a.roleId,
    firstName: a.firstName,
    lastName: a.lastName,
    phone: '',
    mobile: '',
    aboutInfo: '',
    extn: '',
    countryCode: 'en_US',
    photoURL: null,
    rolePermissionType: 'Custom',
    associatedDepartmentIds: a.departmentIds,
    name: `${a.firstName} ${a.lastName}`,
    timeZone: 'Europe/Amsterdam',
    id: a.id,
    profileId: a.profileId,
    channelExpert: [],
    langCode: 'en_US',
    cf: {},
    associatedChatDepartmentIds: [],
    isZiaAgent: false,
  };
}

export function accountJson(portal: Portal, a: Account) {
  return {
    id: a.id,
    accountName: a.accountName,
    email: null,
    website: a.website,
    phone: null,
    createdTime: iso(a.createdTime),
    modifiedTime: iso(a.modifiedTime),
    ownerId: a.ownerId,
    zohoCRMAccount: null,
    webUrl: webUrl(portal, 'Accounts', a.id),
  };
}

export function contactJson(portal: Portal, c: Contact) {
  return {
    id: c.id,
    firstName: c.firstName,
    lastName: c.lastName,
    accountCount: c.accountId ? '1' : '0',
    email: `${c.firstName}.${c.lastName}@customer.example`.toLowerCase(),
    secondaryEmail: null,
    mobile: null,
    phone: null,
    type: null,
    createdTime: iso(c.createdTime),
    ownerId: c.ownerId,
    accountId: c.accountId,
    zohoCRMContact: null,
    isAnonymous: false,
    isEndUser: false,
    photoURL: null,
    isSpam: false,
    webUrl: webUrl(portal, 'Contacts', c.id),
    customerHappiness: { badPercentage: '0', okPercentage: '0', goodPercentage: '0' },
  };
}

/**
 * GET /contacts/search items: the list view plus modifiedTime and the custom field values, which the list's
 * records lack (Search.json 75e1ba5 declares both on search items; Contact.json's list items carry neither).
 */
export function contactSearchJson(portal: Portal, c: Contact) {
  return { ...contactJson(portal, c), modifiedTime: iso(c.modifiedTime ?? c.createdTime), cf: cfValues(portal, 'contacts', c) };
}

/** GET /accounts/search items: the list view plus the custom field values (the list's records carry no cf, OAS 83b5c18). */
export function accountSearchJson(portal: Portal, a: Account) {
  return { ...accountJson(portal, a), cf: cfValues(portal, 'accounts', a) };
}

/** The list view of GET /tickets: no modifiedTime, cf or description (as on real portals). */
export function ticketListJson(portal: Portal, t: Ticket) {
  return {
    id: t.id,
    ticketNumber: String(t.ticketNumber),
    layoutId: `${portal.idPrefix}000000074011`,
    email: null,
    phone: null,
    subject: t.subject,
    status: t.status,
    statusType: t.statusType,
    createdTime: iso(t.createdTime),
    category: null,
    language: 'English',
    subCategory: null,
    priority: t.priority,
    channel: t.channel,
    dueDate: iso(t.dueDate),
    responseDueDate: null,
    commentCount: String(ticketComments(portal, t).length),
    sentiment: null,
    threadCount: String(threadCount(portal, t)),
    closedTime: iso(t.closedTime),
    onholdTime: null,
    accountId: t.accountId,
    departmentId: t.departmentId,
    contactId: t.contactId,
    productId: null,
    assigneeId: t.assigneeId,
    teamId: null,
    relationshipType: 'None',
    lastThread: null,
    customerResponseTime: iso(t.createdTime),
    isArchived: false,
    source: SOURCE,
    channelCode: null,
    isSpam: false,
    webUrl: webUrl(portal, 'Cases', t.id),
    // Third-party sources say tickets carry approvalCount; the planner uses it to find approvals.
    approvalCount: String(t.approvalCount),
  };
}

/** GET /tickets/search items: the list view plus modifiedTime, nested department, cf and description. */
export function ticketSearchJson(portal: Portal, t: Ticket) {
  const department = portal.departmentsById.get(t.departmentId);
  return {
    ...ticketListJson(portal, t),
    modifiedTime: iso(t.modifiedTime),
    resolution: null,
    sharedDepartments: [],
    isOverDue: false,
    secondaryContacts: [],
    classification: null,
    assignee: null,
    childTicketCount: '0',
    entitySkills: [],
    customFields: {},
    isRead: false,
    description: null,
    modifiedBy: t.assigneeId,
    department: department ? { name: department.name, id: department.id } : null,
    product: null,
    cf: cfValues(portal, 'tickets', t),
    slaId: null,
    team: null,
    createdBy: t.assigneeId,
    isEscalated: t.status === 'Escalated',
  };
}

export function threadJson(portal: Portal, th: Thread) {
  const agent = th.authorType === 'AGENT' ? portal.agentsById.get(th.authorId) : undefined;
  const contact = agent ? undefined : portal.contactsById.get(th.authorId);
  const person = agent ?? contact;
  return {
    id: th.id,
    channel: th.channel,
    canReply: true,
    contentType: 'text/html',
    hasAttach: false,
    status: 'SUCCESS',
    summary: th.summary,
    author: {
      id: th.authorId,
      name: person ? `${person.firstName} ${person.lastName}` : null,
      email: null,
      photoURL: null,
      type: th.authorType,
      firstName: person?.firstName ?? null,
      lastName: person?.lastName ?? null,
    },
    attachmentCount: '0',
    sentiment: null,
    aspects: null,
    channelRelatedInfo: null,
    respondedIn: null,
    lastRatingIconURL: null,
    readReceipts: null,
    impersonatedUser: null,
    source: SOURCE,
    isDescriptionThread: th.isDescriptionThread,
    keyWords: null,
    visibility: 'public',
    createdTime: iso(th.createdTime),
    actions: [],
    direction: th.direction,
  };
}

export function timeEntryJson(portal: Portal, e: TimeEntry) {
  const ticket = portal.ticketsById.get(e.ticketId);
  const hours = Math.floor(e.seconds / 3600);
  const minutes = Math.floor((e.seconds % 3600) / 60);
  return {
    id: e.id,
    executedTime: iso(e.executedTime),
    createdTime: iso(e.createdTime),
    modifiedTime: iso(e.modifiedTime),
    departmentId: e.departmentId,
    ownerId: e.ownerId,
    requestId: e.ticketId,
    description: null,
    mode: 'MANUAL',
    isTrashed: false,
    requestChargeType: 'Customer Service',
    hoursSpent: String(hours),
    minutesSpent: String(minutes),
    secondsSpent: '0',
    isBillable: e.billable,
    billingType: e.billable ? 'FIXED_COST_FOR_AGENTS' : 'NON_BILLABLE',
    agentCostPerHour: '40.0',
    totalCost: ((e.seconds / 3600) * 40).toFixed(2),
    customFields: {},
    invoiceId: null,
    parent: ticket
      ? { ticketNumber: String(ticket.ticketNumber), associatedTicketId: ticket.id, subject: ticket.subject, id: ticket.id, type: 'TICKETS' }
      : null,
  };
}

function person(portal: Portal, agentId: string | null) {
  const agent = agentId ? portal.agentsById.get(agentId) : undefined;
  return agent ? { id: agent.id, name: `${agent.firstName} ${agent.lastName}`, photoURL: null } : null;
}

export function approvalJson(portal: Portal, a: Approval) {
  return {
    id: a.id,
    subject: a.subject,
    description: null,
    status: a.status,
    requester: person(portal, a.requesterId),
    approver: person(portal, a.approverId),
    requestedTime: iso(a.requestedTime),
    processedTime: iso(a.processedTime),
  };
}

/** Calls carry their custom field values in the list and the search alike (Call.json). */
export function callJson(portal: Portal, c: Call) {
  return {
    id: c.id,
    subject: c.subject,
    departmentId: c.departmentId,
    contactId: c.contactId,
    ticketId: c.ticketId,
    ownerId: c.ownerId,
    direction: c.direction,
    startTime: iso(c.startTime),
    duration: String(c.durationSeconds),
    createdTime: iso(c.createdTime),
    modifiedTime: iso(c.modifiedTime),
    status: c.isCompleted ? 'Completed' : 'Not Started',
    priority: 'Normal',
    isCompleted: c.isCompleted,
    // Call.json callListViewJson: whether the call has comments (the search's record too, inferred)
    isCommented: callComments(portal, c).length > 0,
    category: 'Call',
    cf: cfValues(portal, 'calls', c),
  };
}

export function ratingJson(portal: Portal, r: Rating) {
  const ticket = portal.ticketsById.get(r.ticketId);
  return {
    id: r.id,
    rating: r.rating,
    ratedTime: iso(r.ratedTime),
    feedback: r.feedback,
    ticketId: r.ticketId,
    ticketNumber: ticket ? String(ticket.ticketNumber) : null,
    departmentId: r.departmentId,
    contactId: r.contactId,
    agent: person(portal, r.agentId),
  };
}

export function emailFailureJson(portal: Portal, f: EmailFailure) {
  const ticket = portal.ticketsById.get(f.ticketId);
  const department = portal.departmentsById.get(f.departmentId);
  return {
    ticketId: f.ticketId,
    ticketNumber: ticket ? String(ticket.ticketNumber) : null,
    threadId: f.threadId,
    departmentId: f.departmentId,
    departmentName: department?.name ?? null,
    channel: f.channel,
    subject: f.subject,
    reason: f.reason,
    errorMessage: `550 ${f.reason}`,
    createdTime: iso(f.createdTime),
    assignee: person(portal, f.assigneeId),
  };
}

export function tagJson(t: Tag) {
  // A stable pseudo-count: nothing in the reports depends on it.
  const count = Number(t.id.slice(-4)) % 97;
  return { id: t.id, name: t.name, tagType: 'MANUAL', ticketCount: String(count), createdTime: iso(t.createdTime) };
}

/** A recycle bin record (Recyclebin.json recycleBinKeys), with `department` and `deletedBy` when included. */
export function binJson(portal: Portal, item: BinItem, include: ReadonlySet<string>) {
  const department = item.departmentId ? portal.departmentsById.get(item.departmentId) : undefined;
  const agent = portal.agentsById.get(item.deletedById);
  return {
    displayName: item.displayName,
    departmentId: item.departmentId,
    deletedById: item.deletedById,
    id: item.id,
    type: item.type,
    deletedTime: iso(item.deletedTime),
    ...(include.has('department') && { department: department ? { id: department.id, name: department.name } : null }),
    ...(include.has('deletedBy') && {
      deletedBy: agent
        ? { id: agent.id, firstName: agent.firstName, lastName: agent.lastName, email: agentJson(portal, agent).emailId, photoURL: null }
        : null,
    }),
  };
}
