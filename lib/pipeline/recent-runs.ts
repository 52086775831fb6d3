import type { ObjectStore } from '../ports.js';
import { planCheckpointKey, runRecordKey } from './keys.js';
import { finalizeRun, readRunRecord, writeJson } from './manifest.js';

export interface RecentRunsOptions {
  now: number;
  warn?: (message: string) => void;
  /** how many of the newest runs to look at */
  count?: number;
  /**
   * A run still `planning` this long after it started, or after the last checkpoint of a planning in parts, was
   * abandoned by its planner (killed, or out of time). On one machine the queue's lock means nobody else is
   * planning: 0. On AWS: longer than a part of the planning, and than the wait for its message to come back.
   */
  planningTimeoutMs: number;
}

export interface RecentRuns {
  finalized: string[];
  /** runs whose planning never finished: incomplete for good, their cursors unmoved */
  abandoned: Array<{ runId: string; reason: string }>;
}

/**
 * Finalizes the recent runs not yet finished — a run whose last page was stored just before its process
 * stopped, or whose pages were finished by another process — and marks the ones whose planning was cut off
 * as failed. The scheduler does this before planning, and so does a local `run`, so every report completed
 * since moves its cursor before the next run reads it.
 */
export async function finalizeRecentRuns(store: ObjectStore, options: RecentRunsOptions): Promise<RecentRuns> {
  const runIds = (await store.folders('_runs/')).slice(-(options.count ?? 10));
  const result: RecentRuns = { finalized: [], abandoned: [] };
  for (const runId of runIds) {
    const run = await readRunRecord(store, runId, options.warn);
    if (run?.status === 'finished' || run?.status === 'failed') continue;
    if (run?.status === 'planning') {
      const lastProgress = Date.parse(run.continuing?.at ?? run.startedAt);
      if (options.now - lastProgress < options.planningTimeoutMs) continue;
      const reason = 'planning stopped before every page was queued (the planner was stopped or ran out of time)';
      const { continuing: _continuing, ...rest } = run;
      await writeJson(store, runRecordKey(runId), { ...rest, status: 'failed', reason });
      // A planning in parts that stopped going on: its checkpoint will not be needed (a late plan message is a no-op).
      await store.delete([planCheckpointKey(runId)]);
      result.abandoned.push({ runId, reason });
    }
    await finalizeRun(store, runId, { now: options.now, ...(options.warn && { warn: options.warn }) });
    result.finalized.push(runId);
  }
  return result;
}
