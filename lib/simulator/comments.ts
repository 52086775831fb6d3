import { iso } from './times.js';
import type { Portal, Ticket } from './dataset.js';
import { makeId } from './dataset.js';
import { Random } from './random.js';
import { SUBJECTS } from './words.js';

/**
 * Ticket comments (GET /tickets/{ticketId}/comments), generated per ticket from the seed like its threads: the
 * older data's draws are not moved. About a third of tickets have one to three, by agents, public or private.
 */

export interface Comment {
  id: string;
  ticketId: string;
  commenterId: string;
  commentedTime: number;
  modifiedTime: number | null;
  isPublic: boolean;
  content: string;
}

/** Comments one ticket can have: ids are derived from the ticket and n < this. */
const MAX_COMMENTS_PER_TICKET = 1_000;

export function ticketComments(portal: Portal, ticket: Ticket): Comment[] {
  const rnd = Random.derive(portal.seed, 11, ticket.index);
  const count = rnd.chance(0.35) ? rnd.int(1, 3) : 0;
  // The first agents: generated with the portal, never removed (evolve disables or adds, later in the list).
  const agents = portal.agents.slice(0, 5);
  const comments: Comment[] = [];
  let at = ticket.createdTime;
  for (let n = 1; n <= count; n += 1) {
    // Drawn from the ticket's creation and the seed alone, never from what evolve edits later (its assignee,
    // its modifiedTime): a comment stays as it was unless it is itself edited.
    at += rnd.int(10 * 60, 72 * 3600) * 1000;
    const edited = rnd.chance(0.2);
    comments.push({
      id: makeId(portal.idPrefix, 'comment', ticket.index * MAX_COMMENTS_PER_TICKET + n),
      ticketId: ticket.id,
      commenterId: rnd.pick(agents).id,
      commentedTime: at,
      modifiedTime: edited ? at + 60_000 : null,
      isPublic: rnd.chance(0.3),
      content: `${rnd.pick(SUBJECTS)}: checked with the team.`,
    });
  }
  // A deleted comment (evolve) is hidden, as deleted records are.
  return comments.filter((c) => !portal.hidden.has(c.id));
}

/** A comment as TicketComment.json@3f7016e's listOfComments example shows it (times as ISO strings, as the other records). */
export function commentJson(portal: Portal, c: Comment) {
  return {
    id: c.id,
    modifiedTime: iso(c.modifiedTime),
    attachments: [],
    commentedTime: iso(c.commentedTime),
    isPublic: c.isPublic,
    plainText: c.content,
    contentType: 'html',
    content: `<div>${c.content}</div>`,
    commenterId: c.commenterId,
    mention: [],
    commenter: agentCommenter(portal, c.commenterId, ['AGENT']),
  };
}

/** A comment's `commenter`, an agent: TicketComment.json's example types it ['AGENT'], CallComments.json's 'AGENT'. */
export function agentCommenter(portal: Portal, agentId: string, type: unknown) {
  const agent = portal.agentsById.get(agentId);
  return {
    firstName: agent?.firstName ?? null,
    lastName: agent?.lastName ?? null,
    photoURL: null,
    name: agent ? `${agent.firstName} ${agent.lastName}` : null,
    roleName: 'Agent',
    type,
    email: agent ? `${agent.firstName}.${agent.lastName}@${portal.org.portalName}.example`.toLowerCase() : null,
  };
}
