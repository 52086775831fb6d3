import { ZohoRejectedError } from '../errors.js';
import type { ObjectStore } from '../ports.js';
import type { DeskClient, DeskRecord } from '../zoho/desk-client.js';
import { endpoint } from '../zoho/endpoints.js';
import type { ReportDefinition } from '../reports/definition.js';
import { orgFolder } from './keys.js';
import type { PageMessage } from './messages.js';

/**
 * The files of a page of attachments (a report whose definition says `files`), copied into the bucket:
 *
 *   attachments/org=<orgId>/ticket=<ticketId>/<attachment id>/<file name>      the file, with Zoho's content type
 *   attachments/org=<orgId>/ticket=<ticketId>/<attachment id>/_skipped.json   why it was not copied (too large, gone)
 *
 * A file stored is never fetched again (its folder is looked at first). A file over ZOHO_ATTACHMENT_MAX_MB is
 * skipped with its reason, and copied by a later read once the limit allows it. A download that fails fails the
 * page, which is retried and redriven like any other; the files it copied stay, and are not fetched again.
 */

export const ATTACHMENTS_PREFIX = 'attachments/';
const SKIPPED = '_skipped.json';

/** A file name safe as the last part of a key: no folders, no control characters, at most 200 characters. */
export function safeFileName(name: unknown, id: string): string {
  const text = typeof name === 'string' ? name : '';
  const safe = text
    .replace(/[\\/]/g, '_')
    .replace(/\p{Cc}/gu, '_')
    .replace(/^\.+/, '_')
    .slice(0, 200);
  return safe || `attachment-${id}`;
}

export function attachmentFolder(orgId: string | undefined, ticketId: string, attachmentId: string): string {
  return `${ATTACHMENTS_PREFIX}${orgFolder(orgId)}ticket=${ticketId}/${attachmentId}/`;
}

/** The files a page's records are, or list (a thread's `attachments`). */
export function filesOf(files: NonNullable<ReportDefinition['files']>, records: readonly DeskRecord[]): DeskRecord[] {
  if (!files.field) return [...records];
  const field = files.field;
  return records.flatMap((record) => {
    const listed = record[field];
    return Array.isArray(listed)
      ? listed.filter((file): file is DeskRecord => file !== null && typeof file === 'object' && !Array.isArray(file))
      : [];
  });
}

/** Copies the page's files not copied yet; answers how many it copied. */
export async function copyFiles(
  store: ObjectStore,
  desk: DeskClient,
  message: PageMessage,
  files: NonNullable<ReportDefinition['files']>,
  records: readonly DeskRecord[],
): Promise<number> {
  const maxBytes = desk.maxAttachmentBytes;
  const ticketId = message.params.ticketId;
  if (maxBytes <= 0 || !ticketId) return 0;
  const target = endpoint(files.endpoint);
  let copied = 0;
  for (const record of filesOf(files, records)) {
    const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : undefined;
    if (!id || typeof record.href !== 'string') continue;
    const folder = attachmentFolder(message.orgId, ticketId, id);
    const name = safeFileName(record.name, id);
    const size = Number(record.size);
    const known = await store.list(folder);
    if (known.some((key) => !key.endsWith(SKIPPED))) continue;
    const skip = async (reason: string) => {
      const note = { id, name, size: Number.isFinite(size) ? size : null, reason, maxBytes };
      await store.put(`${folder}${SKIPPED}`, `${JSON.stringify(note)}\n`, 'application/json');
    };
    if (Number.isFinite(size) && size > maxBytes) {
      await skip(`${size} bytes, over ZOHO_ATTACHMENT_MAX_MB (${maxBytes} bytes): raise it to copy the file`);
      continue;
    }
    try {
      const file = await desk.download(target, record.href, maxBytes);
      copied += 1;
      await store.put(`${folder}${name}`, file.bytes, file.contentType);
      if (known.length) await store.delete([`${folder}${SKIPPED}`]);
    } catch (error) {
      // Listed, then gone before it was fetched: nothing to copy, and saying so beats failing the page forever.
      if (error instanceof ZohoRejectedError && error.status === 404) await skip('Zoho answered 404: the file was removed after it was listed');
      else throw error;
    }
  }
  return copied;
}
