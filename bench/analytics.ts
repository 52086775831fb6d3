import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { reportData } from '../lib/analytics/report-data.js';
import { chartJsSource, reportPage } from '../lib/analytics/report-page.js';
import { newestRun } from '../lib/cli/report-command.js';
import { runAll } from './credits.js';
import { bench } from './setup.js';

export interface AnalyticsResult {
  tickets: number;
  files: number;
  records: number;
  megabytes: number;
  /** the least any reader must do: read every page file and parse every line, in Node (16 files at once) */
  baselineMs: number;
  queryMs: number;
  reportMs: number;
}

/** Every page file of the export (not the queue, receipts or state). */
async function pageFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !path.includes(`${folder}/.`) && !path.includes(`${folder}/_`));
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/**
 * Figure 6: `query` and `report` over the export of an N-ticket portal (every report, one full run), each
 * from a cold start (the engine opened, the views created), against reading and parsing every page in Node.
 */
export async function analytics(tickets = 10_000): Promise<AnalyticsResult> {
  const setup = await bench({ tickets, seed: 13, dailyCredits: 1_000_000_000 });
  try {
    const { folder } = await runAll(setup);
    const files = await pageFiles(folder);
    let bytes = 0;
    // 16 files read at once, so the baseline is not held back by one read at a time.
    const limit = pLimit(16);
    const baseline = await timed(async () => {
      let records = 0;
      await Promise.all(
        files.map((file) =>
          limit(async () => {
            const text = await readFile(file, 'utf8');
            bytes += text.length;
            for (const line of text.split('\n')) if (line) records += JSON.parse(line) ? 1 : 0;
          }),
        ),
      );
      return records;
    });
    const query = await timed(async () => {
      const warehouse = await LocalWarehouse.open(folder);
      try {
        return await warehouse.query('SELECT status, count(*) FROM tickets_latest GROUP BY status');
      } finally {
        warehouse.close();
      }
    });
    const chartJs = await chartJsSource();
    const report = await timed(async () => {
      const warehouse = await LocalWarehouse.open(folder);
      try {
        return reportPage(await reportData(warehouse, { generatedAt: 'bench', latestRun: await newestRun(folder) }), chartJs);
      } finally {
        warehouse.close();
      }
    });
    if (query.value.rows.length === 0 || !report.value.includes('chart-volume-by-status')) throw new Error('the analytics bench produced no answer');
    return {
      tickets,
      files: files.length,
      records: baseline.value,
      megabytes: bytes / 2 ** 20,
      baselineMs: baseline.ms,
      queryMs: query.ms,
      reportMs: report.ms,
    };
  } finally {
    await setup.close();
  }
}
