import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalWarehouse } from '../../lib/analytics/local-warehouse.js';
import { reportData } from '../../lib/analytics/report-data.js';
import { TABLES } from '../../lib/analytics/schema.js';
import { latestViewName } from '../../lib/analytics/views.js';
import { rowsOf } from './mirror.js';

/** Every latest view's rows (sorted), the tombstones and the report's data of a reports folder: what a person sees. */
export async function answers(folder: string): Promise<Record<string, unknown>> {
  const warehouse = await LocalWarehouse.open(folder);
  try {
    const out: Record<string, unknown> = {};
    for (const spec of TABLES) {
      const rows = await rowsOf(warehouse, `SELECT * FROM ${latestViewName(spec)}`);
      out[spec.table] = rows.map((row) => JSON.stringify(row)).sort();
    }
    out.tombstones = (await rowsOf(warehouse, 'SELECT * FROM tombstones')).map((row) => JSON.stringify(row)).sort();
    out.report = await reportData(warehouse, { generatedAt: 'now', latestRun: null });
    return out;
  } finally {
    warehouse.close();
  }
}

/** The same folder's answers with its compacted state set aside: over every page, as before compaction. */
export async function answersWithoutCompaction(folder: string): Promise<Record<string, unknown>> {
  await rename(join(folder, 'current'), join(folder, 'current.aside'));
  try {
    return await answers(folder);
  } finally {
    await rename(join(folder, 'current.aside'), join(folder, 'current'));
  }
}
