import type { Portal, Ticket } from './dataset.js';
import { makeId } from './dataset.js';
import { Random } from './random.js';

/**
 * Ticket attachments (GET /tickets/{ticketId}/attachments), generated per ticket from the seed as its comments
 * are: about one ticket in five has one or two files.
 */

export interface Attachment {
  id: string;
  ticketId: string;
  name: string;
  size: number;
  creatorId: string;
  createdTime: number;
  isPublic: boolean;
}

const MAX_ATTACHMENTS_PER_TICKET = 1_000;
const FILES = ['screenshot.png', 'invoice.pdf', 'log.txt', 'photo.jpg', 'export.csv'];

export function ticketAttachments(portal: Portal, ticket: Ticket): Attachment[] {
  const rnd = Random.derive(portal.seed, 13, ticket.index);
  const count = rnd.chance(0.2) ? rnd.int(1, 2) : 0;
  const creators = portal.agents.slice(0, 5);
  return Array.from({ length: count }, (_, n) => ({
    id: makeId(portal.idPrefix, 'attachment', ticket.index * MAX_ATTACHMENTS_PER_TICKET + n + 1),
    ticketId: ticket.id,
    name: rnd.pick(FILES),
    size: rnd.int(200, 400_000),
    creatorId: rnd.pick(creators).id,
    createdTime: ticket.createdTime + rnd.int(1, 3600) * 1000,
    isPublic: rnd.chance(0.5),
  })).filter((a) => !portal.hidden.has(a.id));
}

/** An attachment as TicketAttachment.json@83b5c18's attachmentResponse describes it (size a string, as Zoho sends counters). */
export function attachmentJson(portal: Portal, a: Attachment) {
  const content = `${portal.deskUrl}/api/v1/tickets/${a.ticketId}/attachments/${a.id}/content`;
  return {
    id: a.id,
    name: a.name,
    size: String(a.size),
    isPublic: a.isPublic,
    creatorId: a.creatorId,
    createdTime: new Date(a.createdTime).toISOString(),
    href: content,
    previewurl: `${content}?inline=true`,
  };
}

const TYPES: Record<string, string> = { png: 'image/png', pdf: 'application/pdf', txt: 'text/plain', jpg: 'image/jpeg', csv: 'text/csv' };

/** An attachment's file: `size` bytes drawn from the seed, the same every time, typed by its name's extension. */
export function attachmentFile(portal: Portal, a: Attachment): { bytes: Uint8Array; contentType: string } {
  return attachmentBytes(portal, a.id, a.name, a.size);
}

/** A file's bytes from the seed and its id, typed by its name's extension (a ticket's or a thread's attachment). */
export function attachmentBytes(portal: Portal, id: string, name: string, size: number): { bytes: Uint8Array; contentType: string } {
  const rnd = Random.derive(portal.seed, 17, Number(id.slice(-9)));
  const bytes = new Uint8Array(size);
  for (let n = 0; n < bytes.length; n += 1) bytes[n] = rnd.int(0, 255);
  return { bytes, contentType: TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream' };
}
