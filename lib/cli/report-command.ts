import { readdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chartHasData, reportData } from '../analytics/report-data.js';
import { chartJsSource, reportPage } from '../analytics/report-page.js';
import { RUN_ID } from '../pipeline/keys.js';
import type { CliContext } from './context.js';
import { exportFolder, withWarehouse } from './query-command.js';

export interface ReportOptions {
  /** the export folder */
  from?: string;
  /** the HTML file */
  out: string;
  /** one portal's charts (its org id) */
  portal?: string;
}

/** Run ids sort by their start time; `_runs/<runId>/` is written when a run starts. */
export async function newestRun(folder: string): Promise<string | null> {
  const entries = await readdir(join(folder, '_runs')).catch(() => [] as string[]);
  return (
    entries
      .filter((name) => RUN_ID.test(name))
      .sort()
      .at(-1) ?? null
  );
}

/** `report`: one self-contained HTML page of charts over the latest views of the local export. */
export async function writeReport(options: ReportOptions, context: CliContext): Promise<void> {
  const folder = await exportFolder(options.from, context, '--from');
  const generatedAt = `${new Date(context.clock?.now() ?? Date.now()).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const latestRun = await newestRun(folder);
  const data = await withWarehouse(folder, (warehouse) => reportData(warehouse, { generatedAt, latestRun }), options.portal);
  const page = reportPage(data, await chartJsSource());
  // Written beside and renamed, so a browser never opens half a page.
  const target = resolve(options.out);
  await writeFile(`${target}.tmp`, page);
  await rename(`${target}.tmp`, target);
  const drawn = data.charts.filter(chartHasData);
  context.out.line(`${target}: ${drawn.length} of ${data.charts.length} charts with data, from ${folder}`);
  const empty = data.charts.filter((c) => !drawn.includes(c)).map((c) => c.title);
  if (empty.length) context.out.line(`No data yet for: ${empty.join('; ')}`);
}
