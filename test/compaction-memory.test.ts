import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactExport, readPointer } from '../lib/analytics/compaction.js';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { rowsOf } from './helpers/mirror.js';
import { tempDir } from './helpers/zoho.js';

// Compaction works within DuckDB's memory limit however large a report is (bench figure 11). Before, it ranked
// whole records in one query: a 50,000-ticket first run's threads ran out of memory ("failed to pin block")
// and the run ended in an error after every page was read. Here: 36 MB of threads in 3,000 page files, more
// than the limit leaves once DuckDB's own buffers are counted.

const ORG = '751684677';
const RUNS = ['2026-12-01T00-00-00Z-aaaa', '2026-12-01T04-00-00Z-bbbb'];
const TICKETS = 4_000;
const PER_PAGE = 5;
const padding = 'x'.repeat(4_000);

const thread = (ticket: number, n: number, run: number) =>
  JSON.stringify({
    id: `64836421000${String(ticket).padStart(5, '0')}${n}`,
    channel: 'EMAIL',
    status: 'SUCCESS',
    summary: `run ${run} ${padding}`,
    createdTime: '2026-11-30T10:00:00.000Z',
    author: { id: '6483642000020003655', name: 'Gustav Varga', type: 'END_USER' },
  });

async function writeThreads(folder: string): Promise<void> {
  for (const [r, run] of RUNS.entries()) {
    for (let ticket = 0; ticket < TICKETS; ticket++) {
      const dir = join(folder, 'threads', 'dt=2026-12-01', `org=${ORG}`, `run=${run}`, `ticket=6483642000100${String(ticket).padStart(6, '0')}`);
      await mkdir(dir, { recursive: true });
      const lines = Array.from({ length: PER_PAGE }, (_, n) => thread(ticket, n, r));
      await writeFile(join(dir, 'page-00001.jsonl'), `${lines.join('\n')}\n`);
    }
  }
}

describe('compaction of a report larger than its memory', () => {
  it('keeps the newest run of every thread, within the limit', async () => {
    const dir = await tempDir();
    await writeThreads(dir.path);
    const results = await compactExport(dir.path, { now: Date.parse('2026-12-01T05:00:00Z') });
    expect(results.find((r) => r.report === 'threads')).toMatchObject({ rows: TICKETS * PER_PAGE, through: RUNS[1] });
    expect((await readPointer(dir.path, 'threads'))?.rows).toBe(TICKETS * PER_PAGE);
    const warehouse = await LocalWarehouse.open(dir.path);
    try {
      const [row] = await rowsOf(warehouse, `SELECT count(*) AS n, count(DISTINCT id) AS ids, min(summary) AS s FROM threads_latest`);
      expect(row).toMatchObject({ n: TICKETS * PER_PAGE, ids: TICKETS * PER_PAGE });
      expect(String(row?.s)).toMatch(/^run 1 /); // the newest run's version of each
    } finally {
      warehouse.close();
    }
  });
});
