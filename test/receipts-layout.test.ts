import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { plannedBatchKey, receiptKey, receiptPrefix } from '../lib/pipeline/keys.js';
import { RunReceipts } from '../lib/pipeline/receipts.js';
import type { Receipt } from '../lib/pipeline/records.js';
import { tempDir } from './helpers/zoho.js';

const RUN = '2026-11-20T10-00-00Z-0a0a';
const receipt = (ticket: string, status: Receipt['status']): Receipt => ({
  report: 'threads',
  runId: RUN,
  scope: `ticket=${ticket}/`,
  page: 1,
  status,
});
const line = (r: Receipt) => `${JSON.stringify(r)}\n`;

describe("a run's page receipts: one folder a report, and the layout before it still read", () => {
  it('writes a receipt without a folder per ticket, and reads receipts written a folder per scope (a run upgraded mid-way)', async () => {
    const dir = await tempDir();
    const store = new FolderObjectStore(dir.path);
    await store.put(plannedBatchKey(RUN, 1), ['1', '2', '3', '4'].map((t) => line(receipt(t, 'planned'))).join(''));
    // Written by this version: the scope flattened into the name.
    await store.put(receiptKey('threads', RUN, 'ticket=2/', 1), line({ ...receipt('2', 'written'), records: 3 }));
    // Written by the version before: a folder per ticket; one of them cut short.
    const legacy = (ticket: string) => join(dir.path, `${receiptPrefix(RUN)}threads/ticket=${ticket}/page-00001.json`);
    for (const ticket of ['1', '3']) await mkdir(dirname(legacy(ticket)), { recursive: true });
    await writeFile(legacy('1'), line({ ...receipt('1', 'written'), records: 2 }));
    await writeFile(legacy('3'), '{"report":"threads","ru');

    expect(await readdir(join(dir.path, receiptPrefix(RUN), 'threads'))).toEqual(['ticket=1', 'ticket=2~page-00001.json', 'ticket=3']);
    const receipts = await RunReceipts.open(store, RUN);
    const byTicket = Object.fromEntries((await receipts.of('threads')).map((r) => [r.scope, [r.status, r.records, r.reason]]));
    expect(byTicket).toEqual({
      'ticket=1/': ['written', 2, undefined],
      'ticket=2/': ['written', 3, undefined],
      'ticket=3/': ['planned', undefined, 'unreadable receipt'],
      'ticket=4/': ['planned', undefined, undefined],
    });
    await dir.remove();
  });

  it("reads and removes a report's receipts past one chunk of a thousand", async () => {
    const dir = await tempDir();
    const store = new FolderObjectStore(dir.path);
    const tickets = Array.from({ length: 2_345 }, (_, i) => String(1_000_000 + i));
    for (const ticket of tickets) await store.put(receiptKey('threads', RUN, `ticket=${ticket}/`, 1), line(receipt(ticket, 'written')));
    const receipts = await RunReceipts.open(store, RUN);
    const read = await receipts.of('threads');
    expect(read.map((r) => r.scope).sort()).toEqual(tickets.map((t) => `ticket=${t}/`));
    expect(read.every((r) => r.status === 'written')).toBe(true);
    await store.delete(await receipts.pageReceiptsOf('threads'));
    expect(await store.list(receiptPrefix(RUN))).toEqual([]);
    // The emptied folders went with them, up to the reports folder.
    expect(await readdir(dir.path)).toEqual([]);
    await dir.remove();
  });
});
