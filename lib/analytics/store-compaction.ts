import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import pLimit from 'p-limit';
import { RUN_ID, runDate, STATE_PREFIX } from '../pipeline/keys.js';
import { readRunRecord } from '../pipeline/manifest.js';
import { LAYOUT_KEY } from '../pipeline/portals.js';
import { TOMBSTONE_PREFIX } from '../pipeline/tombstones.js';
import type { ObjectStore } from '../ports.js';
import { CURRENT_PREFIX, compactExport, type CompactionResult, pagesUnderRun, pointerSchema } from './compaction.js';
import { TABLES } from './schema.js';

/**
 * Compaction of a bucket (issue 15, on AWS): the same compaction as a folder's, through the ObjectStore port.
 * What it needs — each report's current generation and the pages of the settled runs after it — is copied
 * into a work folder laid out as the bucket is, compacted there with DuckDB, and the new generations are put
 * back, each Parquet file before the pointer that names it; generations older than the one before go. What it
 * reads and writes follows what changed since the last compaction, not the bucket's history.
 *
 * Only settled runs are compacted: a run still being read would have pages land after its compaction, which the
 * views would then skip (they read pages of runs after `through` only). A run is settled once finished or
 * failed, or once older than a message can live in the queues (14 days), whatever its record says.
 * After a redrive puts pages into runs already compacted, `requestFullCompaction` has the next compaction read
 * every page (the local `redrive` compacts in full itself).
 */

/** SQS's longest retention, the queues' setting: no page of a run older than this can still arrive. */
export const MESSAGE_LIFETIME_MS = 14 * 86_400_000;
/** Written by a redrive: the next compaction reads every page, as pages were added to runs compacted already. */
export const FULL_COMPACTION_KEY = `${STATE_PREFIX}compaction-full.json`;
const TOMBSTONES = TOMBSTONE_PREFIX.replace(/\/$/, '');
/** Objects copied at a time. */
const TRANSFERS = 16;

export interface StoreCompactionOptions {
  now: number;
  /** an empty folder of this machine's (a Lambda's /tmp), removed when done */
  workDir: string;
  warn?: (message: string) => void;
  /**
   * Called once the new generations and their pointers are in the bucket, before older generations go: the
   * compactor points Athena's views at them. When it fails the older generations stay (a view may still read
   * one), and the error is thrown after.
   */
  afterSwap?: () => Promise<void>;
}

export interface StoreCompaction {
  results: CompactionResult[];
  /** the newest run compacted (settled): none when no run is */
  horizon?: string;
  full: boolean;
  /** objects copied to the work folder and back */
  downloaded: number;
  uploaded: number;
}

/** Has the next compaction of the bucket read every page. */
export async function requestFullCompaction(store: ObjectStore, now: number, reason: string): Promise<void> {
  await store.put(FULL_COMPACTION_KEY, `${JSON.stringify({ at: new Date(now).toISOString(), reason })}\n`, 'application/json');
}

/** The newest run such that it and every run before it are settled. */
export async function settledHorizon(store: ObjectStore, now: number, warn?: (message: string) => void): Promise<string | undefined> {
  const runIds = (await store.folders('_runs/')).filter((id) => RUN_ID.test(id));
  let horizon: string | undefined;
  for (const runId of runIds) {
    const old = now - Date.parse(`${runDate(runId)}T00:00:00Z`) > MESSAGE_LIFETIME_MS + 86_400_000;
    if (!old) {
      const run = await readRunRecord(store, runId, warn);
      if (run && run.status !== 'finished' && run.status !== 'failed') break;
    }
    horizon = runId;
  }
  return horizon;
}

/** The run folders of a report in the bucket from `fromDay` on, both layouts (`dt=…/org=…/run=…/`, `dt=…/run=…/`). */
async function runPrefixes(store: ObjectStore, report: string, fromDay: string): Promise<Array<{ runId: string; prefix: string }>> {
  const runs: Array<{ runId: string; prefix: string }> = [];
  for (const day of await store.folders(`${report}/`)) {
    if (!day.startsWith('dt=') || day.slice(3) < fromDay) continue;
    for (const inner of await store.folders(`${report}/${day}/`)) {
      const names = inner.startsWith('org=')
        ? (await store.folders(`${report}/${day}/${inner}/`)).map((run) => ({ run, prefix: `${report}/${day}/${inner}/${run}/` }))
        : [{ run: inner, prefix: `${report}/${day}/${inner}/` }];
      for (const { run, prefix } of names) {
        const runId = run.startsWith('run=') ? run.slice(4) : '';
        if (RUN_ID.test(runId)) runs.push({ runId, prefix });
      }
    }
  }
  return runs;
}

/** A page key as the views read it under a run folder: one folder down per parent where the report has them. */
function isPage(report: string, prefix: string, key: string): boolean {
  if (!key.endsWith('.jsonl')) return false;
  const [scope] = pagesUnderRun(report);
  return scope === '**' || key.slice(prefix.length).includes('/');
}

/** Compacts the bucket's reports and tombstones from their generations and the settled runs after them. */
export async function compactStore(store: ObjectStore, options: StoreCompactionOptions): Promise<StoreCompaction> {
  const full = (await store.get(FULL_COMPACTION_KEY)) !== undefined;
  const horizon = await settledHorizon(store, options.now, options.warn);
  if (!horizon) return { results: [], full, downloaded: 0, uploaded: 0 };
  const work = options.workDir;
  await rm(work, { recursive: true, force: true });
  const limit = pLimit(TRANSFERS);
  let downloaded = 0;
  const copy = (key: string, bytes?: boolean) =>
    limit(async () => {
      const body = bytes ? await store.getBytes(key) : await store.get(key);
      if (body === undefined) return false;
      const path = join(work, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
      downloaded++;
      return true;
    });
  try {
    await copy(LAYOUT_KEY);
    const previous = new Map<string, string>();
    for (const name of [...TABLES.map((spec) => spec.report), TOMBSTONES]) {
      const pointerKey = `${CURRENT_PREFIX}${name}/_current.json`;
      const text = await store.get(pointerKey);
      const parsed = text === undefined ? undefined : pointerSchema.safeParse(JSON.parse(text));
      const pointer = parsed?.success ? parsed.data : undefined;
      if (pointer) {
        previous.set(name, pointer.generation);
        await copy(pointerKey);
        if (!(await copy(`${CURRENT_PREFIX}${name}/${pointer.generation}/part-0.parquet`, true))) {
          options.warn?.(`${pointerKey} names ${pointer.generation}, which is not in ${store.description}: it is compacted again from every page.`);
          await rm(join(work, pointerKey), { force: true });
        }
      }
      const after = full ? undefined : pointer?.through;
      const runs = (await runPrefixes(store, name, after ? runDate(after) : '')).filter(
        (run) => run.runId <= horizon && (after === undefined || run.runId > after),
      );
      const keys = (
        await Promise.all(runs.map((run) => store.list(run.prefix).then((all) => all.filter((key) => isPage(name, run.prefix, key)))))
      ).flat();
      await Promise.all(keys.map((key) => copy(key)));
    }
    // Every page of the runs up to the horizon is in the work folder: each pointer covers them, pages or not.
    const results = await compactExport(work, { now: options.now, horizon, ...(full ? { full } : {}) });
    const uploaded = await putBack(store, work, results);
    if (full) await store.delete([FULL_COMPACTION_KEY]);
    await options.afterSwap?.();
    await removeStale(store, results, previous);
    return { results, horizon, full, downloaded, uploaded };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Each new generation's file, then its pointer; a pointer moved past runs without pages, alone. */
async function putBack(store: ObjectStore, work: string, results: CompactionResult[]): Promise<number> {
  let uploaded = 0;
  for (const result of results) {
    if (result.unchanged && !result.advanced) continue;
    const name = result.report === 'tombstones' ? TOMBSTONES : result.report;
    const folder = join(work, CURRENT_PREFIX, name);
    const pointerText = await readFile(join(folder, '_current.json'), 'utf8');
    if (!result.unchanged) {
      const pointer = pointerSchema.parse(JSON.parse(pointerText));
      const file = join(folder, pointer.generation, 'part-0.parquet');
      await store.put(relative(work, file).replaceAll('\\', '/'), await readFile(file), 'application/vnd.apache.parquet');
      uploaded += 1;
    }
    await store.put(`${CURRENT_PREFIX}${name}/_current.json`, pointerText, 'application/json');
    uploaded += 1;
  }
  return uploaded;
}

/** The generations of each report compacted now, but for the new one and the one before it (a query may still read it). */
async function removeStale(store: ObjectStore, results: CompactionResult[], previous: Map<string, string>): Promise<void> {
  for (const result of results) {
    if (result.unchanged) continue;
    const name = result.report === 'tombstones' ? TOMBSTONES : result.report;
    const pointer = pointerSchema.parse(JSON.parse((await store.get(`${CURRENT_PREFIX}${name}/_current.json`)) ?? 'null'));
    const keep = new Set([pointer.generation, previous.get(name)]);
    const stale = (await store.list(`${CURRENT_PREFIX}${name}/gen=`)).filter((key) => !keep.has(key.split('/')[2]));
    await store.delete(stale);
  }
}
