import { REPORTS } from '../lib/reports/catalog.js';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, simulatedExport } from './helpers/export.js';
import { tempDir } from './helpers/zoho.js';

// `query` and `report` over what the README's first command writes.

let exported: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  exported = await simulatedExport();
}, 120_000);

afterAll(async () => {
  await exported?.remove();
});

describe('zoho-desk-reports query', () => {
  it('answers in a table, with the latest version of each of the 200 simulated tickets', async () => {
    const result = await cli(['query', '--out', exported.path, 'SELECT count(*) AS tickets, count(DISTINCT id) AS ids FROM tickets_latest']);
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/│ tickets │ ids │/);
    expect(result.stdout).toMatch(/│ 200\s+│ 200 │/);
    expect(result.stdout).toContain('(1 row)');
  });

  it('reads the SQL from a file', async () => {
    const file = join(exported.path, 'count.sql');
    await writeFile(file, '-- how many agents\nSELECT count(*) AS agents FROM agents_latest\n');
    const result = await cli(['query', '--out', exported.path, '--file', file, '--format', 'csv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('agents\n5');
  });

  it('writes CSV with a header and quoted fields', async () => {
    const result = await cli([
      'query',
      '--out',
      exported.path,
      '--format',
      'csv',
      'SELECT id, \'a, "quoted" value\' AS note FROM tickets_latest ORDER BY id LIMIT 2',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('id,note');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^\d{19},"a, ""quoted"" value"$/);
  });

  it('writes JSON: numbers as numbers, Zoho ids as exact strings, times as text', async () => {
    const result = await cli([
      'query',
      '--out',
      exported.path,
      '--format',
      'json',
      'SELECT t.id, t.created_time, count(th.id) AS threads FROM tickets_latest t JOIN threads_latest th ON th.ticket_id = t.id GROUP BY ALL ORDER BY t.id LIMIT 3',
    ]);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ id: string; created_time: string; threads: number }>;
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.id).toMatch(/^\d{19}$/);
      expect(row.created_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
      expect(typeof row.threads).toBe('number');
      expect(row.threads).toBeGreaterThan(0);
    }
  });

  it('has every report as a table and a latest view with rows', async () => {
    const result = await cli([
      'query',
      '--out',
      exported.path,
      '--format',
      'json',
      "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%_latest' ORDER BY 1",
    ]);
    const views = (JSON.parse(result.stdout) as Array<{ table_name: string }>).map((r) => r.table_name);
    expect(views).toHaveLength(REPORTS.length);
    // Nothing was deleted in the simulated portal: the recycle bin is read, and empty.
    // `run --simulate` reads every report, the opt-in ones too.
    for (const view of views.filter((v) => v !== 'recycle_bin_latest')) {
      const counted = JSON.parse(
        (await cli(['query', '--out', exported.path, '--format', 'json', `SELECT count(*) AS n FROM ${view}`])).stdout,
      ) as Array<{ n: number }>;
      expect(counted[0]?.n, view).toBeGreaterThan(0);
    }
  });

  it('says what to fix: bad SQL, an empty query, a folder with no export', async () => {
    const bad = await cli(['query', '--out', exported.path, 'SELECT * FROM tickets_lates']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toHaveLength(1);
    expect(bad.stderr[0]).toContain('tickets_lates');
    expect(bad.stderr[0]).toContain('Tables: accounts');
    const empty = await cli(['query', '--out', exported.path, '  ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr[0]).toContain('The query is empty');
    const missing = await cli(['query', '--out', join(exported.path, 'nowhere'), 'SELECT 1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr[0]).toContain('There is no export in');
    expect(missing.stderr[0]).toContain('run --simulate');
    expect(missing.stderr[0]).toContain('or name the folder with --out.');
    const both = await cli(['query', '--out', exported.path, '--file', 'q.sql', 'SELECT 1']);
    expect(both.stderr[0]).toContain('not both');
    const unreadable = await cli(['query', '--out', exported.path, '--file', join(exported.path, 'missing.sql')]);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr[0]).toContain('Cannot read the SQL file');
    expect(unreadable.stderr[0]).toContain('ENOENT');
    const format = await cli(['query', '--out', exported.path, '--format', 'xml', 'SELECT 1']);
    expect(format.code).not.toBe(0);
  });
});

describe('the README', () => {
  const readme = () => readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');

  it("runs its quick start's query as written", async () => {
    const line = (await readme()).split('\n').find((l) => l.startsWith('npx zoho-desk-reports query '));
    const sql = /query "(.+)"$/.exec(line ?? '')?.[1];
    expect(sql).toBeDefined();
    const result = await cli(['query', '--out', exported.path, sql as string]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/│ Closed\s+│ \d+/);
  });

  it('has four Athena queries that also run here, each answering with rows', async () => {
    const blocks = [...(await readme()).matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks).toHaveLength(4);
    for (const sql of blocks) {
      const result = await cli(['query', '--out', exported.path, '--format', 'json', sql]);
      expect(result.stderr, sql).toEqual([]);
      const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
      expect(rows.length, sql).toBeGreaterThan(0);
      // No column is empty everywhere: the joins and parsed times found their data.
      for (const column of Object.keys(rows[0] ?? {}))
        expect(
          rows.some((r) => r[column] !== null),
          `${column} in\n${sql}`,
        ).toBe(true);
    }
  });
});

describe('zoho-desk-reports report', () => {
  it('writes one self-contained page: Chart.js inline, no address outside the file, a policy allowing no network', async () => {
    const target = join(exported.path, 'out.html');
    const result = await cli(['report', '--from', exported.path, '--out', target]);
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('8 of 8 charts with data');
    const html = await readFile(target, 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).toContain('Chart.js v4');
    const [runId] = await readdir(join(exported.path, '_runs'));
    expect(html).toContain(`Newest run in the export: ${runId}.`);
    for (const title of [
      'Tickets created, by status',
      'Tickets created, by channel',
      'Open backlog, by department',
      'First response time, by agent',
      'Resolution time, by agent',
      'Time logged, by agent',
      'Customer happiness',
      'Email delivery failures',
    ]) {
      expect(html).toContain(`<h2>${title}</h2>`);
    }
  });

  it('writes a page for an export with no data yet, and says which charts are empty', async () => {
    const dir = await tempDir();
    try {
      const result = await cli(['report', '--from', dir.path, '--out', join(dir.path, 'r.html')]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('0 of 8 charts with data');
      expect(result.stdout).toContain('No data yet for: Tickets created, by status');
    } finally {
      await dir.remove();
    }
  });

  it('says what to fix when the folder does not exist', async () => {
    const result = await cli(['report', '--from', join(exported.path, 'nowhere')]);
    expect(result.code).toBe(2);
    expect(result.stderr[0]).toContain('There is no export in');
    // `report` names the folder it reads with --from; its --out is the HTML file.
    expect(result.stderr[0]).toContain('or name the folder with --from.');
  });
});
