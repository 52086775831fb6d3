import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { REPORTS } from '../reports/catalog.js';
import { readPointer, runFolders } from './compaction.js';

/**
 * `prune --older-than DAYS`: the raw pages of reports read in full every run (agents, departments, tags, …)
 * expire once compacted: each run stored a whole copy, and the report's current generation holds what the
 * latest views need of them. Only run folders the generation covers (their run no newer than its `through`)
 * and older than the age are removed; a report with no generation keeps every page. Reports read by change
 * (tickets, contacts, threads, …) keep theirs: their pages are their history, and the all-versions tables read
 * them. The S3 lifecycle rule of the same age does this in the bucket.
 */

export interface PruneResult {
  /** run folders removed (or, with dryRun, that would be) per report */
  removed: Record<string, number>;
  bytes: number;
}

const MANIFEST = '_manifest.json';

async function sizeOf(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const child = join(path, entry.name);
    total += entry.isDirectory() ? await sizeOf(child) : ((await stat(child).catch(() => undefined))?.size ?? 0);
  }
  return total;
}

/** The reports whose raw pages expire once compacted: those whose every complete read is the whole report. */
export const EXPIRING_REPORTS = REPORTS.filter((report) => report.current === 'snapshot').map((report) => report.id);

export async function pruneRawPages(folder: string, options: { olderThanDays: number; now: number; dryRun?: boolean }): Promise<PruneResult> {
  const cutoff = new Date(options.now - options.olderThanDays * 86_400_000).toISOString().slice(0, 10);
  const result: PruneResult = { removed: {}, bytes: 0 };
  for (const report of EXPIRING_REPORTS) {
    const pointer = await readPointer(folder, report);
    if (!pointer) continue;
    for (const run of await runFolders(folder, report)) {
      // Only what the generation holds: a run after it is read by the views from its pages.
      if (run.runId > pointer.through || run.day >= cutoff) continue;
      // The pages go; the run's manifest of the report stays (status and the run's history read it).
      const pages = (await readdir(run.path, { withFileTypes: true }).catch(() => [])).filter((e) => e.name !== MANIFEST);
      if (pages.length === 0) continue;
      for (const page of pages) {
        const path = join(run.path, page.name);
        result.bytes += page.isDirectory() ? await sizeOf(path) : ((await stat(path).catch(() => undefined))?.size ?? 0);
        if (!options.dryRun) await rm(path, { recursive: true, force: true });
      }
      result.removed[report] = (result.removed[report] ?? 0) + 1;
    }
  }
  return result;
}
