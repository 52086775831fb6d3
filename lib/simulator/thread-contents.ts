import { attachmentBytes } from './attachments.js';
import type { Portal, Thread } from './dataset.js';
import { makeId } from './dataset.js';
import { Random } from './random.js';
import { threadJson } from './shapes.js';
import { iso } from './times.js';

/**
 * A thread in full (GET /tickets/{ticketId}/threads/{threadId}: Thread.json@75e1ba5 getThread) and its attachments.
 * Its shape is the spec's single-thread example: the list's fields with `content` (the whole body; the list's
 * `summary` is its start), `attachments` [{id, name, size, href, previewurl}], and `plainText` when asked for. About
 * one thread in six has a file or two, drawn from the seed and the thread's id, so a thread added later draws its own.
 */

export interface ThreadAttachment {
  id: string;
  ticketId: string;
  threadId: string;
  name: string;
  size: number;
}

const FILES = ['reply.pdf', 'screenshot.png', 'trace.txt'];
/** Attachments one thread can have: ids are derived from the thread and n < this. */
const MAX_ATTACHMENTS_PER_THREAD = 10;

/** The thread's sequence number in its id (threads are numbered per ticket, dataset.ts threadId). */
const threadNumber = (th: Thread) => Number(th.id.slice(-12));

export function threadAttachments(portal: Portal, th: Thread): ThreadAttachment[] {
  const n = threadNumber(th);
  const rnd = Random.derive(portal.seed, 19, Math.floor(n / 1_000_000), n % 1_000_000);
  const count = rnd.chance(1 / 6) ? rnd.int(1, 2) : 0;
  return Array.from({ length: count }, (_, k) => ({
    id: makeId(portal.idPrefix, 'attachment', 100_000_000_000 + (n % 10_000_000_000) * MAX_ATTACHMENTS_PER_THREAD + k + 1),
    ticketId: th.ticketId,
    threadId: th.id,
    name: rnd.pick(FILES),
    size: rnd.int(100, 60_000),
  }));
}

/** The list's record of a thread, with its attachments counted (Thread.json threadKeys: attachmentCount a string). */
export function listedThreadJson(portal: Portal, th: Thread) {
  const files = threadAttachments(portal, th);
  return { ...threadJson(portal, th), hasAttach: files.length > 0, attachmentCount: String(files.length) };
}

/** The thread in full; `plainText` too when asked for (include=plainText). */
export function fullThreadJson(portal: Portal, th: Thread, withPlainText = false) {
  const files = threadAttachments(portal, th);
  const listed = listedThreadJson(portal, th);
  const base = `${portal.deskUrl}/api/v1/tickets/${th.ticketId}/threads/${th.id}/attachments`;
  const sent = `Sent ${iso(th.createdTime)}.`;
  return {
    ...listed,
    content: `<div>${listed.summary}</div><div><br></div><div>${sent}</div>`,
    ...(withPlainText ? { plainText: `${listed.summary}\n\n${sent}` } : {}),
    isContentTruncated: false,
    attachments: files.map((file) => ({
      id: file.id,
      name: file.name,
      size: String(file.size),
      href: `${base}/${file.id}/content`,
      previewurl: `${base}/${file.id}/content?inline=true`,
    })),
  };
}

export function threadAttachmentFile(portal: Portal, file: ThreadAttachment): { bytes: Uint8Array; contentType: string } {
  return attachmentBytes(portal, file.id, file.name, file.size);
}
