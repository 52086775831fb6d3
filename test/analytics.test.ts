import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { TABLES } from '../lib/analytics/schema.js';
import { latestViewColumns } from '../lib/analytics/views.js';
import { ConfigError } from '../lib/errors.js';
import { manifestKey } from '../lib/pipeline/keys.js';
import { TEST_ORG, writePage } from './helpers/export.js';
import { tempDir } from './helpers/zoho.js';
import { rejection } from './helpers/errors.js';

// The local tables and `_latest` views (DuckDB) over hand-written page files, where every version is known.

const RUN_1 = '2026-11-20T04-00-00Z-aaaa';
const RUN_2 = '2026-11-21T04-00-00Z-bbbb';
const RUN_3 = '2026-11-22T08-00-00Z-cccc';
const TICKET_A = '6483605000100000001';
const TICKET_B = '6483605000100000002';
const TICKET_C = '6483605000100000003';

const ticket = (id: string, fields: Record<string, unknown>) => ({ id, ticketNumber: id.slice(-3), departmentId: '6483605000001000001', ...fields });

let dir: { path: string; remove(): Promise<void> };
let warehouse: LocalWarehouse;
const query = async (sql: string) => (await warehouse.query(sql)).rows;

beforeAll(async () => {
  dir = await tempDir();
  const root = dir.path;
  // A: modified in run 2; run 3 is a redriven page of an older version, written later — modifiedTime decides.
  await writePage(root, 'tickets', RUN_1, 'window=0001/', 1, [ticket(TICKET_A, { status: 'Open', modifiedTime: '2026-11-19T10:00:00.000Z' })]);
  await writePage(root, 'tickets', RUN_2, 'window=0001/', 1, [ticket(TICKET_A, { status: 'Closed', modifiedTime: '2026-11-21T12:30:00.000Z' })]);
  await writePage(root, 'tickets', RUN_3, 'window=0002/', 1, [
    // 13:00+02:00 is 11:00 UTC: older than 12:30 UTC although its text sorts later
    ticket(TICKET_A, { status: 'Escalated', modifiedTime: '2026-11-21T13:00:00+02:00' }),
    // B: the same modifiedTime in two runs: the newer run's copy wins
    ticket(TICKET_B, { subject: 'from run 3', modifiedTime: '2026-11-18T08:00:00.000Z', createdTime: '' }),
    // C: times Zoho might send badly are NULL, not a failed query
    ticket(TICKET_C, { subject: 'odd times', modifiedTime: 'not a time', createdTime: 'yesterday', closedTime: null }),
  ]);
  await writePage(root, 'tickets', RUN_1, 'window=0002/', 1, [ticket(TICKET_B, { subject: 'from run 1', modifiedTime: '2026-11-18T08:00:00.000Z' })]);
  // Agents carry no modifiedTime: the newest run wins.
  await writePage(root, 'agents', RUN_1, '', 1, [
    { id: '6483605000002000001', name: 'Before Rename', associatedDepartmentIds: ['6483605000001000001'] },
  ]);
  await writePage(root, 'agents', RUN_3, '', 1, [
    { id: '6483605000002000001', name: 'After Rename', associatedDepartmentIds: ['6483605000001000001', '6483605000001000002'] },
  ]);
  // Fanned-out pages: the parent comes from the folder, nested people are flattened.
  await writePage(root, 'threads', RUN_2, `ticket=${TICKET_A}/`, 1, [
    {
      id: '6483605100000001001',
      direction: 'in',
      createdTime: '2026-11-21T09:00:00.000Z',
      author: { id: '6483605000020000001', name: 'Ana', type: 'END_USER' },
    },
  ]);
  await writePage(root, 'customer-happiness', RUN_2, 'department=6483605000001000001/', 1, [
    {
      id: '6483605000500000001',
      rating: 'GOOD',
      ratedTime: '2026-11-21T10:00:00.000Z',
      agent: { id: '6483605000002000001', name: 'After Rename', photoURL: null },
    },
  ]);
  // Not pages: a manifest, a temporary file a killed process left, and the pipeline's own bookkeeping.
  await writeFile(join(root, manifestKey('tickets', RUN_1, TEST_ORG)), JSON.stringify({ id: 'manifest-is-not-a-ticket' }));
  await writeFile(
    join(root, `tickets/dt=2026-11-20/org=${TEST_ORG}/run=2026-11-20T04-00-00Z-aaaa/window=0001/page-00002.jsonl.tmp`),
    JSON.stringify(ticket('999', {})),
  );
  await mkdir(join(root, '_state'), { recursive: true });
  await writeFile(join(root, '_state/tickets.jsonl'), JSON.stringify(ticket('998', {})));
  warehouse = await LocalWarehouse.open(root);
});

afterAll(async () => {
  warehouse?.close();
  await dir?.remove();
});

describe('the local tables', () => {
  it('hold every version from every run, and nothing but page lines', async () => {
    expect(await query('SELECT id, status, dt FROM tickets ORDER BY source_file')).toEqual([
      [TICKET_A, 'Open', '2026-11-20'],
      [TICKET_B, null, '2026-11-20'],
      [TICKET_A, 'Closed', '2026-11-21'],
      [TICKET_A, 'Escalated', '2026-11-22'],
      [TICKET_B, null, '2026-11-22'],
      [TICKET_C, null, '2026-11-22'],
    ]);
  });

  it('keep Zoho ids as exact strings', async () => {
    expect(await query(`SELECT id, typeof(id) FROM tickets WHERE id = '${TICKET_C}'`)).toEqual([[TICKET_C, 'VARCHAR']]);
  });

  it('are all there, empty, for reports with no pages yet', async () => {
    for (const spec of TABLES.filter((t) => !['tickets', 'agents', 'threads', 'customer-happiness'].includes(t.report))) {
      expect(await query(`SELECT count(*) FROM ${spec.table}`), spec.table).toEqual([[0]]);
      const result = await warehouse.query(`SELECT * FROM ${spec.table}_latest`);
      expect(result.rows).toEqual([]);
      // The same columns as the Athena view declares (Athena lower-cases them).
      expect(result.columns.map((c) => c.toLowerCase())).toEqual(latestViewColumns(spec).map((c) => c.name));
    }
  });
});

describe('the latest views', () => {
  it('keep the newest version by modifiedTime, whatever run wrote it and whatever offset Zoho gave', async () => {
    expect(await query(`SELECT id, status, modified_time::VARCHAR, run_id FROM tickets_latest WHERE id = '${TICKET_A}'`)).toEqual([
      [TICKET_A, 'Closed', '2026-11-21 12:30:00', RUN_2],
    ]);
  });

  it('keep the newest run where versions tie, and where the report has no modifiedTime', async () => {
    expect(await query(`SELECT subject, run_id, dt FROM tickets_latest WHERE id = '${TICKET_B}'`)).toEqual([['from run 3', RUN_3, '2026-11-22']]);
    expect(await query('SELECT name, associatedDepartmentIds, run_id FROM agents_latest')).toEqual([
      ['After Rename', ['6483605000001000001', '6483605000001000002'], RUN_3],
    ]);
  });

  it('turn empty or malformed times into NULL instead of failing', async () => {
    expect(
      await query(`SELECT id, created_time, modified_time, closed_time FROM tickets_latest WHERE id IN ('${TICKET_B}', '${TICKET_C}') ORDER BY id`),
    ).toEqual([
      [TICKET_B, null, '2026-11-18 08:00:00', null],
      [TICKET_C, null, null, null],
    ]);
  });

  it('name the parent from the page folder, flatten nested people, and point at the source file', async () => {
    expect(await query('SELECT id, ticket_id, author_id, author_name, author_type, created_time::VARCHAR FROM threads_latest')).toEqual([
      ['6483605100000001001', TICKET_A, '6483605000020000001', 'Ana', 'END_USER', '2026-11-21 09:00:00'],
    ]);
    const [[department, agent, source] = []] = await query('SELECT department_id, agent_name, source_file FROM customer_happiness_latest');
    expect([department, agent]).toEqual(['6483605000001000001', 'After Rename']);
    expect(source).toBe(
      join(
        dir.path,
        `customer-happiness/dt=2026-11-21/org=${TEST_ORG}/run=2026-11-21T04-00-00Z-bbbb/department=6483605000001000001/page-00001.jsonl`,
      ),
    );
  });
});

describe('query errors', () => {
  it('say what failed and which tables there are', async () => {
    const error = await rejection(warehouse.query('SELECT * FROM ticket_latest'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('ticket_latest');
    expect(error.message).toContain('Tables: accounts, agents, agent_time_entries');
    expect(error.message).toContain('<table>_latest');
  });

  it('name the file when a page is not JSON Lines', async () => {
    const broken = await tempDir();
    try {
      const path = await writePage(broken.path, 'departments', RUN_1, '', 1, []);
      await writeFile(path, '{"id": "1", "name": "Support"}\n{"id": "2", "name": \n');
      const local = await LocalWarehouse.open(broken.path);
      try {
        const error = await rejection(local.query('SELECT count(*) FROM departments'));
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.message).toContain('page-00001.jsonl');
      } finally {
        local.close();
      }
    } finally {
      await broken.remove();
    }
  });
});
