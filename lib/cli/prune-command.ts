import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { QueueLock } from '../adapters/queue-lock.js';
import { EXPIRING_REPORTS, pruneRawPages } from '../analytics/prune.js';
import { ConfigError } from '../errors.js';
import type { CliContext } from './context.js';
import { exportFolder } from './query-command.js';

export interface PruneOptions {
  out?: string;
  olderThan: number;
  dryRun?: boolean;
}

/**
 * `prune --older-than DAYS`: the compacted raw pages of the reports read in full every run, older than DAYS
 * (analytics/prune.ts). The queue's lock is held, so no run or redrive reads or writes the folder meanwhile.
 */
export async function prune(options: PruneOptions, context: CliContext): Promise<number> {
  if (!Number.isInteger(options.olderThan) || options.olderThan < 1) {
    throw new ConfigError(`--older-than takes a whole number of days of at least 1, not "${options.olderThan}".`);
  }
  const folder = await exportFolder(options.out, context);
  const queueFolder = join(folder, '.queue');
  await mkdir(queueFolder, { recursive: true });
  const lock = await QueueLock.take(queueFolder);
  try {
    const now = (context.clock ?? { now: Date.now }).now();
    const result = await pruneRawPages(folder, { olderThanDays: options.olderThan, now, ...(options.dryRun ? { dryRun: true } : {}) });
    const runs = Object.values(result.removed).reduce((a, b) => a + b, 0);
    const mb = (result.bytes / 1024 / 1024).toFixed(1);
    const what = Object.entries(result.removed)
      .map(([report, n]) => `${report} ${n}`)
      .join(', ');
    context.out.line(
      runs === 0
        ? `Nothing to prune: no compacted pages older than ${options.olderThan} days of the reports read in full (${EXPIRING_REPORTS.join(', ')}).`
        : `${options.dryRun ? 'Would remove' : 'Removed'} the pages of ${runs} run(s) older than ${options.olderThan} days (${mb} MB): ${what}. ` +
            'Their records are in current/, which the latest views read; the reports read by change keep all their pages.',
    );
    return 0;
  } finally {
    await lock.release();
  }
}
