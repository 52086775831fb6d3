import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { Discovery } from '../lib/pipeline/discovery.js';
import { silentLogger } from '../lib/ports.js';
import { pageKey, runRecordKey } from '../lib/pipeline/keys.js';
import { finalizeRun, writeJson } from '../lib/pipeline/manifest.js';
import type { Receipt, RunRecord } from '../lib/pipeline/records.js';
import { receiptKey } from '../lib/pipeline/keys.js';
import { idsStateKey, tombstoneKey, type Tombstone } from '../lib/pipeline/tombstones.js';
import { tempDir } from './helpers/zoho.js';

// Finalizing a run turns what left each report into tombstones, and the latest views apply them. Runs are
// written here as the pipeline writes them (run record, receipts, pages), so every departure is known.

const RUN = ['2026-11-20T04-00-00Z-aaaa', '2026-11-20T08-00-00Z-bbbb', '2026-11-20T12-00-00Z-cccc', '2026-11-20T16-00-00Z-dddd'] as const;
/** the portal every run here reads */
const ORG = '60001234567';
const T = (n: number) => `64836050001000000${String(n).padStart(2, '0')}`;

let dir: { path: string; remove(): Promise<void> };
let store: FolderObjectStore;

beforeEach(async () => {
  dir = await tempDir();
  store = new FolderObjectStore(dir.path);
});
afterEach(async () => dir.remove());

interface Page {
  report: string;
  scope?: string;
  records?: Array<Record<string, unknown>>;
  status?: Receipt['status'];
}

/** One run as the planner and the page workers leave it. */
async function writeRun(runId: string, fullReads: string[], pages: Page[], requests = [...new Set(pages.map((p) => p.report))]): Promise<void> {
  const run: RunRecord = {
    runId,
    startedAt: `${runId.slice(0, 10)}T00:00:00.000Z`,
    trigger: 'cli',
    orgId: ORG,
    status: 'planned',
    requests: requests.map((report) => ({ report, params: {} })),
    fullReads,
  };
  await writeJson(store, runRecordKey(runId), run);
  const counter = new Map<string, number>();
  for (const page of pages) {
    const scope = page.scope ?? '';
    const n = (counter.get(page.report + scope) ?? 0) + 1;
    counter.set(page.report + scope, n);
    const status = page.status ?? 'written';
    const records = page.records ?? [];
    const key = pageKey(page.report, runId, ORG, scope, n);
    if (status === 'written') await store.put(key, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const receipt: Receipt = {
      report: page.report,
      runId,
      scope,
      page: n,
      status,
      ...(status === 'written'
        ? { key, records: records.length, ids: records.map((r) => String(r.ticketId ? `${r.ticketId}/${r.threadId}` : r.id)) }
        : {}),
    };
    await store.put(receiptKey(page.report, runId, scope, n), JSON.stringify(receipt));
  }
}

async function tombstones(runId: string, name: string): Promise<Tombstone[]> {
  const text = await store.get(tombstoneKey(runId, ORG, name));
  return (text ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Tombstone);
}

async function latest(sql: string): Promise<unknown[][]> {
  const warehouse = await LocalWarehouse.open(dir.path);
  try {
    return (await warehouse.query(sql)).rows;
  } finally {
    warehouse.close();
  }
}

const agent = (n: number, name = `Agent ${n}`) => ({ id: T(n), name });

describe('a report read in full every run', () => {
  it('tombstones the records its next complete read no longer holds, and the latest view drops them', async () => {
    await writeRun(RUN[0], ['agents'], [{ report: 'agents', records: [agent(1), agent(2), agent(3)] }]);
    await finalizeRun(store, RUN[0]);
    await writeRun(RUN[1], ['agents'], [{ report: 'agents', records: [agent(1), agent(3, 'Renamed')] }]);
    const [manifest] = await finalizeRun(store, RUN[1]);
    expect(manifest?.departed).toBe(1);
    expect(await tombstones(RUN[1], 'agents')).toEqual([{ report: 'agents', id: T(2), deletedTime: null, runId: RUN[1], source: 'absent' }]);
    expect(await latest('SELECT id, name FROM agents_latest ORDER BY id')).toEqual([
      [T(1), 'Agent 1'],
      [T(3), 'Renamed'],
    ]);

    // Finalizing again (a redrive, the next run) says the same and writes nothing new.
    const [again] = await finalizeRun(store, RUN[1]);
    expect(again?.departed).toBe(1);
    expect(await tombstones(RUN[1], 'agents')).toHaveLength(1);

    // Back in a later read: back in the view.
    await writeRun(RUN[2], ['agents'], [{ report: 'agents', records: [agent(1), agent(2, 'Back'), agent(3, 'Renamed')] }]);
    await finalizeRun(store, RUN[2]);
    expect(await latest('SELECT id, name FROM agents_latest ORDER BY id')).toEqual([
      [T(1), 'Agent 1'],
      [T(2), 'Back'],
      [T(3), 'Renamed'],
    ]);
  });

  it('takes nothing away after an incomplete or narrowed read', async () => {
    await writeRun(RUN[0], ['agents'], [{ report: 'agents', records: [agent(1), agent(2)] }]);
    await finalizeRun(store, RUN[0]);
    // A page dead-lettered: the read is not the whole report.
    await writeRun(
      RUN[1],
      ['agents'],
      [
        { report: 'agents', records: [agent(1)] },
        { report: 'agents', status: 'dead-lettered' },
      ],
    );
    await finalizeRun(store, RUN[1]);
    // Narrowed (--param status=ACTIVE): not in fullReads.
    await writeRun(RUN[2], [], [{ report: 'agents', records: [agent(1)] }]);
    await finalizeRun(store, RUN[2]);
    expect(await store.list('tombstones/')).toEqual([]);
    expect(await latest('SELECT count(*) FROM agents_latest')).toEqual([[2]]);
  });

  it('counts a dead-lettered page once it is redriven and the run finalized again', async () => {
    await writeRun(RUN[0], ['agents'], [{ report: 'agents', records: [agent(1), agent(2), agent(3)] }]);
    await finalizeRun(store, RUN[0]);
    await writeRun(
      RUN[1],
      ['agents'],
      [
        { report: 'agents', records: [agent(1)] },
        { report: 'agents', status: 'dead-lettered' },
      ],
    );
    await finalizeRun(store, RUN[1]);
    expect(await tombstones(RUN[1], 'agents')).toEqual([]);
    // The redrive stores page 2 (agent 3); agent 2 is gone.
    await store.put(pageKey('agents', RUN[1], ORG, '', 2), `${JSON.stringify(agent(3))}\n`, 'application/x-ndjson');
    await store.put(
      receiptKey('agents', RUN[1], '', 2),
      JSON.stringify({
        report: 'agents',
        runId: RUN[1],
        scope: '',
        page: 2,
        status: 'written',
        key: pageKey('agents', RUN[1], ORG, '', 2),
        records: 1,
        ids: [T(3)],
      }),
      'application/json',
    );
    const [manifest] = await finalizeRun(store, RUN[1]);
    expect(manifest?.departed).toBe(1);
    expect((await tombstones(RUN[1], 'agents')).map((t) => t.id)).toEqual([T(2)]);
    expect(await latest('SELECT id FROM agents_latest ORDER BY id')).toEqual([[T(1)], [T(3)]]);
  });

  it('compares the first complete read after an upgrade with everything exported before', async () => {
    // Written by a version without tombstones: pages, no ids state.
    await store.put(
      pageKey('agents', RUN[0], ORG, '', 1),
      [agent(1), agent(2)].map((a) => `${JSON.stringify(a)}\n`).join(''),
      'application/x-ndjson',
    );
    await store.put(
      pageKey('threads', RUN[0], ORG, `ticket=${T(1)}/`, 1),
      `${JSON.stringify({ id: T(11) })}\n${JSON.stringify({ id: T(12) })}\n`,
      'application/x-ndjson',
    );
    await writeRun(
      RUN[1],
      ['agents'],
      [
        { report: 'agents', records: [agent(1)] },
        { report: 'threads', scope: `ticket=${T(1)}/`, records: [{ id: T(11) }] },
      ],
    );
    await finalizeRun(store, RUN[1]);
    expect(await latest('SELECT id FROM agents_latest')).toEqual([[T(1)]]);
    expect(await latest('SELECT id FROM threads_latest')).toEqual([[T(11)]]);
  });

  it('keys email failures by ticket and thread', async () => {
    const failure = (ticket: number, thread: number) => ({ ticketId: T(ticket), threadId: T(thread), reason: 'bounced' });
    const dept = 'department=6483605000001000001/';
    await writeRun(RUN[0], ['email-failures'], [{ report: 'email-failures', scope: dept, records: [failure(1, 11), failure(1, 12)] }]);
    await finalizeRun(store, RUN[0]);
    await writeRun(RUN[1], ['email-failures'], [{ report: 'email-failures', scope: dept, records: [failure(1, 12)] }]);
    await finalizeRun(store, RUN[1]);
    expect((await tombstones(RUN[1], 'email-failures')).map((t) => t.id)).toEqual([`${T(1)}/${T(11)}`]);
    expect(await latest('SELECT "threadId" FROM email_failures_latest')).toEqual([[T(12)]]);
  });
});

describe('a report read per parent', () => {
  it("replaces only the parents read again: a thread gone from its ticket's read is tombstoned with the ticket", async () => {
    const thread = (n: number) => ({ id: T(n), summary: `thread ${n}` });
    await writeRun(
      RUN[0],
      [],
      [
        { report: 'threads', scope: `ticket=${T(1)}/`, records: [thread(11), thread(12)] },
        { report: 'threads', scope: `ticket=${T(2)}/`, records: [thread(21)] },
      ],
    );
    await finalizeRun(store, RUN[0]);
    await writeRun(RUN[1], [], [{ report: 'threads', scope: `ticket=${T(1)}/`, records: [thread(11)] }]);
    await finalizeRun(store, RUN[1]);
    expect(await tombstones(RUN[1], 'threads')).toEqual([
      { report: 'threads', id: T(12), parentId: T(1), deletedTime: null, runId: RUN[1], source: 'absent' },
    ]);
    expect(await latest('SELECT id FROM threads_latest ORDER BY id')).toEqual([[T(11)], [T(21)]]);
    const state = JSON.parse((await store.get(idsStateKey(ORG, 'threads'))) ?? '{}') as { scopes: Record<string, string[]> };
    expect(state.scopes).toEqual({ [T(1)]: [T(11)], [T(2)]: [T(21)] });
  });
});

describe('a report of changes (tickets)', () => {
  const ticket = (n: number, modified: string) => ({ id: T(n), subject: `ticket ${n}`, modifiedTime: modified });

  it('is reconciled by its full read, takes deletions from the recycle bin, and a ticket read again is back', async () => {
    await writeRun(
      RUN[0],
      ['tickets'],
      [{ report: 'tickets', scope: 'window=0001/', records: [ticket(1, '2026-11-19T00:00:00Z'), ticket(2, '2026-11-19T00:00:00Z')] }],
    );
    await finalizeRun(store, RUN[0]);
    // Changes only: ticket 3 is new; the recycle bin says ticket 1 was deleted.
    await writeRun(
      RUN[1],
      [],
      [
        { report: 'tickets', scope: 'window=0001/', records: [ticket(3, '2026-11-20T07:00:00Z')] },
        { report: 'recycle-bin', records: [{ id: T(1), type: 'Tickets', displayName: 'ticket 1', deletedTime: '2026-11-20T06:00:00.000Z' }] },
      ],
    );
    const second = await finalizeRun(store, RUN[1]);
    expect(second.find((m) => m.report === 'tickets')?.departed).toBe(1);
    expect(await tombstones(RUN[1], 'recycle-bin')).toEqual([
      { report: 'queue', id: T(1), deletedTime: '2026-11-20T06:00:00.000Z', runId: RUN[1], source: 'recycle-bin' },
      { report: 'tickets', id: T(1), deletedTime: '2026-11-20T06:00:00.000Z', runId: RUN[1], source: 'recycle-bin' },
    ]);
    expect(await latest('SELECT id FROM tickets_latest ORDER BY id')).toEqual([[T(2)], [T(3)]]);

    // The full read: ticket 2 is missing without the bin saying so (a spam delete); ticket 1 is back (restored).
    await writeRun(
      RUN[2],
      ['tickets'],
      [{ report: 'tickets', scope: 'window=0001/', records: [ticket(1, '2026-11-19T00:00:00Z'), ticket(3, '2026-11-20T07:00:00Z')] }],
    );
    await finalizeRun(store, RUN[2]);
    expect(await latest('SELECT id FROM tickets_latest ORDER BY id')).toEqual([[T(1)], [T(2)], [T(3)]]);
    // Missing from a full read is only a suspicion (it may have been edited past the read's window): the next
    // complete read of changes, which reads every ticket changed since, does not find it either.
    await writeRun(RUN[3], [], [{ report: 'tickets', scope: 'window=0001/', records: [ticket(3, '2026-11-20T15:00:00Z')] }]);
    await finalizeRun(store, RUN[3]);
    expect(await tombstones(RUN[3], 'tickets')).toEqual([{ report: 'tickets', id: T(2), deletedTime: null, runId: RUN[3], source: 'reconcile' }]);
    expect(await latest('SELECT id FROM tickets_latest ORDER BY id')).toEqual([[T(1)], [T(3)]]);
  });

  it("hides a deleted ticket's threads, and shows them again when the ticket is back", async () => {
    await writeRun(
      RUN[0],
      ['tickets'],
      [
        { report: 'tickets', records: [ticket(1, '2026-11-19T00:00:00Z')] },
        { report: 'threads', scope: `ticket=${T(1)}/`, records: [{ id: T(11) }] },
      ],
    );
    await finalizeRun(store, RUN[0]);
    await writeRun(RUN[1], [], [{ report: 'recycle-bin', records: [{ id: T(1), type: ['Tickets'], deletedTime: '2026-11-20T06:00:00.000Z' }] }]);
    await finalizeRun(store, RUN[1]);
    expect(await latest('SELECT count(*) FROM threads_latest')).toEqual([[0]]);
    await writeRun(RUN[2], ['tickets'], [{ report: 'tickets', records: [ticket(1, '2026-11-19T00:00:00Z')] }]);
    await finalizeRun(store, RUN[2]);
    expect(await latest('SELECT id, ticket_id FROM threads_latest')).toEqual([[T(11), T(1)]]);
  });

  it('does not tombstone a ticket edited while the full read went on: the next read of changes finds it', async () => {
    await writeRun(RUN[0], ['tickets'], [{ report: 'tickets', records: [ticket(1, '2026-11-19T00:00:00Z'), ticket(2, '2026-11-19T00:00:00Z')] }]);
    await finalizeRun(store, RUN[0]);
    // Ticket 2 was edited after the reconcile planned its windows: no window held it.
    await writeRun(RUN[1], ['tickets'], [{ report: 'tickets', records: [ticket(1, '2026-11-19T00:00:00Z')] }]);
    await finalizeRun(store, RUN[1]);
    await writeRun(RUN[2], [], [{ report: 'tickets', records: [ticket(2, '2026-11-20T08:01:00Z')] }]);
    await finalizeRun(store, RUN[2]);
    expect(await store.list('tombstones/')).toEqual([]);
    expect(await latest('SELECT id FROM tickets_latest ORDER BY id')).toEqual([[T(1)], [T(2)]]);
  });

  it('keeps a ticket restored and edited in the run that saw it deleted', async () => {
    await writeRun(RUN[0], ['tickets'], [{ report: 'tickets', records: [ticket(1, '2026-11-19T00:00:00Z')] }]);
    await finalizeRun(store, RUN[0]);
    await writeRun(
      RUN[1],
      [],
      [
        { report: 'recycle-bin', records: [{ id: T(1), type: 'Tickets', deletedTime: '2026-11-20T07:00:00.000Z' }] },
        { report: 'tickets', records: [ticket(1, '2026-11-20T07:30:00.000Z')] },
      ],
    );
    await finalizeRun(store, RUN[1]);
    expect(await latest('SELECT id FROM tickets_latest')).toEqual([[T(1)]]);
  });

  it('finalizing an older run after a newer one changes nothing', async () => {
    await writeRun(RUN[0], ['tickets'], [{ report: 'tickets', records: [ticket(1, '2026-11-19T00:00:00Z'), ticket(2, '2026-11-19T00:00:00Z')] }]);
    await writeRun(RUN[1], ['tickets'], [{ report: 'tickets', records: [ticket(1, '2026-11-19T00:00:00Z')] }]);
    await finalizeRun(store, RUN[1]);
    await finalizeRun(store, RUN[0]);
    expect(await store.list('tombstones/')).toEqual([]);
    const state = JSON.parse((await store.get(idsStateKey(ORG, 'tickets'))) ?? '{}') as { runId: string };
    expect(state.runId).toBe(RUN[1]);
  });
});

describe('the reconcile', () => {
  it('is due at once for a report whose state predates it (no fullReadAt)', async () => {
    const now = Date.parse('2026-11-20T20:00:00Z');
    await store.put(
      '_state/tickets.json',
      JSON.stringify({ report: 'tickets', cursor: '2026-11-20T16:00:00.000Z', runId: RUN[3] }),
      'application/json',
    );
    const discovery = new Discovery(undefined as never, store, new Date(now).toISOString(), undefined, silentLogger, now);
    expect(await discovery.changesSince('tickets')).toBeUndefined();
    expect([...discovery.reconciles]).toEqual(['tickets']);
    await store.put(
      '_state/tickets.json',
      JSON.stringify({ report: 'tickets', cursor: '2026-11-20T16:00:00.000Z', fullReadAt: '2026-11-20T04:00:00.000Z', runId: RUN[3] }),
      'application/json',
    );
    const later = new Discovery(undefined as never, store, new Date(now).toISOString(), undefined, silentLogger, now);
    expect(await later.changesSince('tickets')).toBe('2026-11-20T15:50:00.000Z');
  });
});
