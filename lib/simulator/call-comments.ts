import { agentCommenter } from './comments.js';
import type { Call, Portal } from './dataset.js';
import { makeId } from './dataset.js';
import { Random } from './random.js';
import { iso } from './times.js';
import { SUBJECTS } from './words.js';

/**
 * Call comments (GET /calls/{callId}/comments, CallComments.json@83b5c18 getCallComments), generated per call from
 * the seed and its id: about a third of calls have one or two, by agents. Comments added later (evolve) live in
 * Portal.addedCallComments.
 */

export interface CallComment {
  id: string;
  callId: string;
  commenterId: string;
  commentedTime: number;
  content: string;
}

/** Comments one call can have: ids are derived from the call and n < this. */
export const MAX_COMMENTS_PER_CALL = 100;

const callNumber = (call: Call) => Number(call.id.slice(-9));

export function callCommentId(portal: Portal, call: Call, n: number): string {
  // After the tickets' comments (ticket index × 1,000 + n): a call's are 900,000,000,000 on.
  return makeId(portal.idPrefix, 'comment', 700_000_000_000 + callNumber(call) * MAX_COMMENTS_PER_CALL + n);
}

export function callComments(portal: Portal, call: Call): CallComment[] {
  const rnd = Random.derive(portal.seed, 23, callNumber(call));
  const count = rnd.chance(0.3) ? rnd.int(1, 2) : 0;
  const agents = portal.agents.slice(0, 5);
  const comments = Array.from({ length: count }, (_, n) => ({
    id: callCommentId(portal, call, n + 1),
    callId: call.id,
    commenterId: rnd.pick(agents).id,
    commentedTime: call.createdTime + rnd.int(60, 48 * 3600) * 1000,
    content: `${rnd.pick(SUBJECTS)}: called back.`,
  }));
  return comments.concat(portal.addedCallComments.get(call.id) ?? []).filter((c) => !portal.hidden.has(c.id));
}

/** A comment as CallComments.json@83b5c18's listCallComments example shows it (times as ISO strings, as the other records). */
export function callCommentJson(portal: Portal, c: CallComment) {
  return {
    id: c.id,
    modifiedTime: null,
    attachments: [],
    commentedTime: iso(c.commentedTime),
    contentType: 'html',
    content: `<div>${c.content}</div>`,
    commenterId: c.commenterId,
    mention: [],
    commenter: agentCommenter(portal, c.commenterId, 'AGENT'),
  };
}
