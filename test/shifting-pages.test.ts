import { describe, expect, it } from 'vitest';
import { runReports } from '../lib/cli/run-command.js';
import type { HttpClient } from '../lib/ports.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, recordingHttp, tempDir } from './helpers/zoho.js';
import { storedRecords } from './helpers/stored.js';

const open = fixtures();
const HOUR = 3_600_000;

/**
 * Zoho pages a search by offset. A ticket modified while a window is being read leaves the window (its new
 * modifiedTime is past the window's end), and every ticket after it moves up one place: a page read later,
 * by offset, starts one ticket too far and skips one — a ticket whose modifiedTime the next run's cursor has
 * already passed, lost for good.
 */
describe('pages of a window while Zoho changes under them', () => {
  it('tickets modified during a first run do not push other tickets out of its pages: the two runs hold every ticket and thread', async () => {
    const fixture = await open({ simulator: { tickets: 400 } });
    const { sim } = fixture.running;
    // 30 of the first page's tickets (the 100 modified first) are edited in Zoho right after that page is read:
    // once while the planner reads the changed tickets (for their threads), once while the tickets' pages are read.
    const editFirstPage = () => {
      const firstPage = sim.portal.tickets
        .filter((t) => t.modifiedTime < Date.parse(startedAt))
        .sort((a, b) => a.modifiedTime - b.modifiedTime || a.index - b.index)
        .slice(0, 100);
      for (const ticket of firstPage.slice(20, 50)) ticket.modifiedTime = sim.clock.now();
    };
    const startedAt = new Date(sim.clock.now()).toISOString();
    let edits = 0;
    const spy = recordingHttp();
    const http: HttpClient = async (request) => {
      const response = await spy.http(request);
      const firstPage = request.url.includes('/tickets/search') && /[?&]from=0(&|$)/.test(request.url) && /[?&]limit=100(&|$)/.test(request.url);
      if (firstPage && response.status === 200 && edits < 2) {
        edits += 1;
        editFirstPage();
      }
      return response;
    };
    const dir = await tempDir();
    const context = { ...contextFor(fixture, sim.clock), http };
    expect(await runReports(['tickets', 'threads'], { out: dir.path, concurrency: 1, ...FAST }, context)).toBe(0);
    expect(edits).toBe(2);
    sim.advance(HOUR);
    expect(await runReports(['tickets', 'threads'], { out: dir.path, ...FAST }, contextFor(fixture, sim.clock))).toBe(0);

    const tickets = new Set((await storedRecords(dir.path, 'tickets')).map((r) => String(r.id)));
    expect([...tickets].sort()).toEqual(sim.portal.tickets.map((t) => t.id).sort());
    const threads = new Set((await storedRecords(dir.path, 'threads')).map((r) => String(r.id)));
    expect(threads.size).toBe(sim.portal.tickets.reduce((n, t) => n + ticketThreads(sim.portal, t).length, 0));
    await dir.remove();
  });

  it('a page that ends among tickets of one modifiedTime: one of them edited before the next page skips none of the others', async () => {
    const fixture = await open({ simulator: { tickets: 400 } });
    const { sim } = fixture.running;
    const sorted = [...sim.portal.tickets].sort((a, b) => a.modifiedTime - b.modifiedTime || a.index - b.index);
    // 30 tickets of one modifiedTime across the first page's end (Zoho's times are often whole seconds).
    const ties = sorted.slice(85, 115);
    for (const ticket of ties) ticket.modifiedTime = sorted[85]!.modifiedTime;
    const firstPageTies = [...sim.portal.tickets]
      .sort((a, b) => a.modifiedTime - b.modifiedTime || a.index - b.index)
      .slice(0, 100)
      .filter((t) => ties.includes(t));
    expect(firstPageTies.length).toBeGreaterThan(5);
    let edited = false;
    const spy = recordingHttp();
    const http: HttpClient = async (request) => {
      const response = await spy.http(request);
      if (!edited && request.url.includes('/tickets/search') && /[?&]from=0(&|$)/.test(request.url) && /[?&]limit=100(&|$)/.test(request.url)) {
        edited = true;
        firstPageTies[0]!.modifiedTime = sim.clock.now(); // edited in Zoho: it leaves the window
      }
      return response;
    };
    const dir = await tempDir();
    expect(await runReports(['tickets'], { out: dir.path, concurrency: 1, ...FAST }, { ...contextFor(fixture, sim.clock), http })).toBe(0);
    expect(edited).toBe(true);
    const first = new Set((await storedRecords(dir.path, 'tickets')).map((r) => String(r.id)));
    for (const ticket of ties) expect(first.has(ticket.id), ticket.id).toBe(true);
    expect(first.size).toBe(400);
    await dir.remove();
  });
});
