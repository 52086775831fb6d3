import { describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { runReports } from '../lib/cli/run-command.js';
import { attachmentFolder } from '../lib/pipeline/attachment-files.js';
import type { PageMessage } from '../lib/pipeline/messages.js';
import type { DeskRecord } from '../lib/zoho/desk-client.js';
import { readWhole } from '../lib/pipeline/whole-records.js';
import { findReport, type ReportDefinition } from '../lib/reports/catalog.js';
import { buildTargets } from '../lib/reports/targets.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import { threadAttachmentFile, threadAttachments } from '../lib/simulator/thread-contents.js';
import { expectMirror } from './helpers/mirror.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();
const REPORTS = ['tickets', 'organization-fields', 'thread-contents'];

/** A portal's ticket with three threads or more, its threads as listed, and a folder for the pages. */
async function oneTicketsThreads() {
  const fixture = await open({ simulator: { tickets: 20 } });
  const { sim } = fixture.running;
  const dir = await tempDir();
  const connection = await fixture.connect();
  const report = findReport('thread-contents') as ReportDefinition;
  const ticket = sim.portal.tickets.find((t) => ticketThreads(sim.portal, t).length >= 3);
  if (!ticket) throw new Error('the seed gives no ticket with three threads');
  const { records: listed } = await connection.desk.page('ticketThreads', { path: { ticketId: ticket.id } });
  return { sim, dir, connection, store: new FolderObjectStore(dir.path), report, ticket, listed };
}

describe('thread contents', () => {
  it('is opt-in; named, its export is each thread in full exactly, its files byte for byte, and a thread is read whole once', async () => {
    expect(findReport('thread-contents')?.optIn).toBeDefined();
    expect(buildTargets([]).map((t) => t.report)).not.toContain('thread-contents');
    const fixture = await open({ simulator: { tickets: 60 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(REPORTS, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    const threads = () => sim.portal.tickets.filter((t) => !sim.portal.hidden.has(t.id)).flatMap((t) => ticketThreads(sim.portal, t));
    expect(sim.stats().calls.ticketThread).toBe(threads().length);
    await expectMirror(sim, dir.path, { reports: ['tickets', 'thread-contents'] });
    const store = new FolderObjectStore(dir.path);
    const files = threads().flatMap((th) => threadAttachments(sim.portal, th));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const stored = await store.getBytes(`${attachmentFolder(sim.orgId, file.ticketId, file.id)}${file.name}`);
      expect(stored && Buffer.from(stored).equals(Buffer.from(threadAttachmentFile(sim.portal, file).bytes)), file.id).toBe(true);
    }

    // New threads on some tickets, others edited or deleted: only the new threads are read whole.
    sim.resetStats();
    const before = new Set(threads().map((th) => th.id));
    const changes = sim.advance(4 * 3_600_000, { newThreads: 6, modifiedTickets: 5, deleteTickets: 3 });
    expect(changes.threaded.length).toBeGreaterThan(0);
    expect(await runReports(REPORTS, { out: dir.path, ...FAST }, context), context.out.text()).toBe(0);
    const added = threads().filter((th) => !before.has(th.id));
    expect(added.length).toBeGreaterThan(0);
    expect(sim.stats().calls.ticketThread).toBe(added.length);
    await expectMirror(sim, dir.path, { reports: ['tickets', 'thread-contents'] });
    await dir.remove();
  });

  it('reads again what a page stored itself (a redelivery stores the same), and a thread whose summary changed', async () => {
    const { sim, dir, connection, store, report, ticket, listed } = await oneTicketsThreads();
    const message = { report: report.id, params: { ticketId: ticket.id }, orgId: sim.orgId, page: 1, limit: 100 } as unknown as PageMessage;
    const warnings: string[] = [];
    const read = async (key: string, records = listed) => {
      const page = await readWhole(store, connection.desk, report, message, key, records, (m) => warnings.push(m));
      await page.remember();
      return page;
    };
    const ids = listed.map((th) => String(th.id));

    const first = await read('run-1/page-1');
    expect(first.records.map((th) => th.id)).toEqual(ids);
    expect(first.records.every((th) => typeof th.content === 'string')).toBe(true);
    // The same page again (a redelivery): it stored them itself, so it reads and stores them all again.
    expect((await read('run-1/page-1')).records.map((th) => th.id)).toEqual(ids);
    // Another run's page: nothing to read whole, every thread still named.
    const later = await read('run-2/page-1');
    expect(later.records).toEqual([]);
    expect(later.ids).toEqual(ids);
    expect(later.weight).toBe(0);
    // A thread whose summary changed on the list (a draft sent) is read whole again; the others are not.
    const edited = listed.map((th, n) => (n === 1 ? { ...th, summary: 'sent at last' } : th));
    const again = await read('run-3/page-1', edited);
    expect(again.records.map((th) => th.id)).toEqual([ids[1]]);
    expect(again.ids).toEqual(ids);

    // A redelivered page whose list moved on (a thread now listed on the page before) keeps what its file held.
    await store.put('run-4/page-1', `${first.records.map((th) => JSON.stringify(th)).join('\n')}\n`, 'application/x-ndjson');
    const shifted = await read('run-4/page-1', listed.slice(1));
    expect(shifted.records.map((th) => th.id).sort()).toEqual([...ids].sort());
    expect(warnings).toEqual([]);
    await dir.remove();
  });

  it("a page's threads that left it and came back are read whole again, on any page of a ticket's list", async () => {
    const { sim, dir, connection, store, report, ticket, listed } = await oneTicketsThreads();
    const [a, b, c] = listed as [DeskRecord, DeskRecord, DeskRecord];
    // The second page of two threads each: full, so not the list's last.
    const page2 = { report: report.id, params: { ticketId: ticket.id }, orgId: sim.orgId, page: 2, limit: 2 } as unknown as PageMessage;
    const read = async (key: string, records: DeskRecord[]) => {
      const page = await readWhole(store, connection.desk, report, page2, key, records, () => {});
      await page.remember();
      return page.records.map((th) => th.id);
    };
    expect(await read('run-1/page-2', [a, b])).toEqual([a.id, b.id]);
    // a left the page (its tombstone hides its stored version), c came onto it: only c is read whole.
    expect(await read('run-2/page-2', [b, c])).toEqual([c.id]);
    // a is back: read whole again, so the latest view has a version newer than its tombstone.
    expect(await read('run-3/page-2', [a, b])).toEqual([a.id]);
    await dir.remove();
  });
});
