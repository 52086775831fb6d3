import { RECOMMENDED_SCOPES } from '../lib/zoho/endpoints.js';
import { describe, expect, it } from 'vitest';
import { buildConsumer } from '../lib/aws/consumer.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import { ManualClock } from '../lib/clock.js';
import { ZohoRejectedError } from '../lib/errors.js';
import { pageMessageBody, type PageMessage } from '../lib/pipeline/messages.js';
import { runManifests } from '../lib/pipeline/manifest.js';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import type { HttpClient } from '../lib/ports.js';
import { awsFixture, lambdaContext, sqsEvent } from './helpers/aws.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, recordingHttp, tempDir } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

const open = fixtures();

async function lastManifests(out: string) {
  const store = new FolderObjectStore(out);
  return runManifests(store, (await store.folders('_runs/')).at(-1)!);
}

describe("Zoho answers that break Zoho's contract", () => {
  it('an answer over the size cap is refused without being read whole, and only its page is set aside', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    fixture.running.sim.setFaults({ quirks: [{ path: '/departments', kind: 'huge-answer', bytes: 200 * 1024 * 1024 }] });
    const zoho = await fixture.connect({ env: { ...fixture.env, ZOHO_MAX_RESPONSE_MB: '2' } });
    const before = process.memoryUsage().rss;
    const error = await rejection(zoho.desk.page('departments'));
    expect(error).toBeInstanceOf(ZohoRejectedError);
    expect(error.message).toBe(
      "Zoho Desk's answer to GET /departments is larger than 2 MB (ZOHO_MAX_RESPONSE_MB): it was refused without being read whole. " +
        'Raise ZOHO_MAX_RESPONSE_MB if such pages are expected.',
    );
    // 200 MB were on offer; reading them whole would have cost far more than this.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);

    const dir = await tempDir();
    const context = { ...contextFor(fixture), env: { ...contextFor(fixture).env, ZOHO_MAX_RESPONSE_MB: '2' } };
    expect(await runReports(['departments', 'agents'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);
    expect((await lastManifests(dir.path)).map((m) => [m.report, m.status])).toEqual([
      ['agents', 'complete'],
      ['departments', 'failed'],
    ]);
    await dir.remove();
  });

  it('the cap is read from ZOHO_MAX_RESPONSE_MB, and a bad value says what to write', async () => {
    const fixture = await open();
    await expect(fixture.connect({ env: { ...fixture.env, ZOHO_MAX_RESPONSE_MB: 'lots' } })).rejects.toThrow(
      'ZOHO_MAX_RESPONSE_MB must be a number of MB from 1 to 1024 (default 32), not "lots".',
    );
  });

  it('a page with more records than its limit, or with records that are not objects, is rejected with the reason', async () => {
    const fixture = await open({ simulator: { tickets: 30 } });
    const { sim } = fixture.running;
    const zoho = await fixture.connect();
    sim.setFaults({ quirks: [{ path: '/contacts', kind: 'extra-records' }] });
    expect((await rejection(zoho.desk.page('contacts', { limit: 5 }))).message).toBe(
      'GET /contacts answered 6 records for a page of 5: Zoho did not keep to the page size, so this page cannot be trusted to fit ' +
        'between its neighbours; it is set aside, not stored.',
    );
    sim.setFaults({ quirks: [{ path: '/accounts', kind: 'not-objects' }] });
    expect((await rejection(zoho.desk.page('accounts'))).message).toBe(
      'GET /accounts answered a page whose record 1 of 6 is number, not a JSON object: the page is set aside, not stored.',
    );

    const dir = await tempDir();
    expect(await runReports(['accounts', 'departments'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(EXIT_CODES['dead-lettered']);
    const [accounts, departments] = await lastManifests(dir.path);
    expect(accounts).toMatchObject({ status: 'failed', pages: { written: 0, deadLettered: 1 } });
    expect(accounts?.failures[0]?.reason).toContain('is number, not a JSON object');
    expect(departments?.status).toBe('complete');
    expect(await new FolderObjectStore(dir.path).list('accounts/')).not.toContainEqual(expect.stringMatching(/\.jsonl$/));
    await dir.remove();
  });

  it('a count answered without its number is refused, not read as zero (which would plan nothing and move the cursor)', async () => {
    // A later run counts the tickets changed since the last (a first run's search gives its own count).
    const fixture = await open({ simulator: { tickets: 100 } });
    const { sim } = fixture.running;
    const dir = await tempDir();
    const context = contextFor(fixture, sim.clock);
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(0);
    const state = () => new FolderObjectStore(dir.path).get(`_state/org=${sim.orgId}/tickets.json`);
    const first = await state();
    sim.advance(3_600_000, { modifiedTickets: 3 });
    sim.setFaults({ quirks: [{ path: '/ticketsCount', kind: 'no-count' }] });
    expect(await runReports(['tickets'], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES.failed);
    expect(context.out.text()).toContain('tickets could not be planned (GET /ticketsCount answered without a numeric "count".)');
    expect(await state()).toBe(first);
    await dir.remove();
  });

  it('a server that ignores `from` stops the chained report with a clear reason instead of paging forever', async () => {
    // Without the search scope contacts are read from their list, page after page by `from`.
    const scopes = RECOMMENDED_SCOPES.filter((s) => s !== 'Desk.search.READ');
    const fixture = await open({ simulator: { tickets: 500 }, scopes });
    const { sim } = fixture.running;
    sim.setFaults({ quirks: [{ path: '/contacts', kind: 'ignores-from' }] });
    const dir = await tempDir();
    expect(await runReports(['contacts'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(EXIT_CODES['dead-lettered']);
    const [contacts] = await lastManifests(dir.path);
    expect(contacts).toMatchObject({ status: 'failed', pages: { planned: 2, written: 1, deadLettered: 1 } });
    expect(contacts?.failures[0]?.reason).toBe(
      'GET /contacts answered page 2 with the very records of page 1: Zoho ignored `from`, so the report stops here instead of reading the same page forever.',
    );
    expect(sim.stats().calls.contacts).toBeLessThan(5);
    // The client's own walk (discovery) stops too.
    sim.setFaults({ quirks: [{ path: '/departments', kind: 'ignores-from' }] });
    const zoho = await fixture.connect();
    const walk = await rejection(zoho.desk.all('departments', { limit: 1 }));
    expect(walk.message).toContain('GET /departments answered the page from 2 with only records it had already sent: it ignores `from`');
    await dir.remove();
  });
});

describe('the consumer Lambda and its time limit', () => {
  it('never starts a Zoho call it cannot finish: each call gets only the time left, and none starts too late', async () => {
    const fixture = await open({ simulator: { tickets: 5 } });
    const aws = await awsFixture(fixture);
    try {
      const [ticket] = fixture.running.sim.portal.tickets;
      fixture.running.sim.setFaults({ failingPaths: [`/tickets/${ticket!.id}/threads`] });
      const clock = new ManualClock(fixture.running.sim.clock.now());
      // Zoho takes 10 s per answer here (on the test's clock); every answer is a 500, retried in-process.
      const spy = recordingHttp();
      const starts: Array<{ at: number; timeoutMs: number; path: string }> = [];
      const slow: HttpClient = async (request) => {
        starts.push({ at: clock.now(), timeoutMs: request.timeoutMs, path: new URL(request.url).pathname });
        const response = await spy.http(request);
        clock.advance(10_000);
        return response;
      };
      const deps = aws.deps({ clock, http: slow });
      const page: PageMessage = {
        kind: 'page',
        runId: '2026-11-20T10-00-00Z-ab12',
        report: 'threads',
        params: { ticketId: ticket!.id },
        page: 1,
        from: 1,
        limit: 100,
        chain: false,
      };
      await deps.queue.send([{ body: pageMessageBody(page) }]);
      const handler = buildConsumer(deps, { concurrency: 1, retry: { baseMs: 0, capMs: 0 } });
      // 35 s left when the record starts (the consumer starts a record only with 30 s left).
      const end = clock.now() + 35_000;
      const context = { ...lambdaContext(), getRemainingTimeInMillis: () => end - clock.now() };

      const response = await handler(sqsEvent(await aws.drainQueue(aws.config.WORK_QUEUE_URL)), context);

      expect(response).toStrictEqual({ batchItemFailures: [expect.anything()] });
      // The token, the portal check of the credit reserve, then the page: every one of them would end (at the
      // latest) before the invocation does, 5 s kept to store the page.
      expect(starts.map((s) => s.path)).toContain('/oauth/v2/token');
      for (const call of starts) expect(call.at + call.timeoutMs, JSON.stringify(call)).toBeLessThanOrEqual(end - 5_000);
      expect(clock.now()).toBeLessThanOrEqual(end);
    } finally {
      await aws.close();
    }
  });
});
