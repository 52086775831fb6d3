import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FolderObjectStore } from '../../lib/adapters/folder-object-store.js';
import type { CliContext } from '../../lib/cli/context.js';
import { openLocalPipeline, type LocalOptions, type LocalPipeline } from '../../lib/cli/local-pipeline.js';
import type { Output } from '../../lib/cli/output.js';
import type { Clock } from '../../lib/ports.js';
import type { Target } from '../../lib/pipeline/messages.js';
import { planRun } from '../../lib/pipeline/planner.js';
import { REPORTS } from '../../lib/reports/catalog.js';
import type { Fixture } from './zoho.js';

export const FAST_RETRY = { baseMs: 1, capMs: 5 };
export const FAST_CLIENT_RETRY = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };
/** Local pipeline options for tests: quick retries everywhere. */
export const FAST = { retry: FAST_RETRY, clientRetry: FAST_CLIENT_RETRY };

export function capture(): Output & { lines: string[]; errors: string[]; text(): string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, line: (t = '') => lines.push(t), error: (t) => errors.push(t), text: () => lines.join('\n') };
}

/** A CLI context whose Zoho is the fixture's simulator and whose secret is the fixture's secret file. */
export function contextFor(fixture: Fixture, clock?: Clock): CliContext & { out: ReturnType<typeof capture> } {
  return { env: { ...fixture.env, ZOHO_SECRET_ID: fixture.store.path }, out: capture(), ...(clock && { clock }) };
}

export async function openPipeline(fixture: Fixture, out: string, options: LocalOptions = {}, clock?: Clock): Promise<LocalPipeline> {
  const pipeline = await openLocalPipeline({ out, ...FAST, ...options }, contextFor(fixture, clock));
  await pipeline.connectPortal();
  return pipeline;
}

export const ALL_REPORTS: Target[] = REPORTS.map((r) => ({ report: r.id, params: {} }));

/** Plans a run with a chosen run id and processes it to the end (or until `stopAfter` messages). */
export async function runOnce(
  fixture: Fixture,
  out: string,
  runId: string,
  targets: Target[] = ALL_REPORTS,
  options: { stopAfter?: number; clock?: Clock } = {},
) {
  const pipeline = await openPipeline(fixture, out, {}, options.clock);
  try {
    await planRun({ runId, targets, trigger: 'cli' }, pipeline.deps);
    return await pipeline.process(options.stopAfter === undefined ? {} : { stopAfter: options.stopAfter });
  } finally {
    await pipeline.close();
  }
}

/** Every record of every page of a report in a folder, parsed, in key order. */
export async function storedRecords(out: string, report: string): Promise<Array<Record<string, unknown>>> {
  const store = new FolderObjectStore(out);
  const records: Array<Record<string, unknown>> = [];
  for (const key of await store.list(`${report}/`)) {
    if (!key.endsWith('.jsonl')) continue;
    const text = await readFile(join(out, key), 'utf8');
    for (const line of text.split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return records;
}

/** The data a run left: every key under the report folders (not the bookkeeping) with its bytes. */
/** Of an export's files, those of one run and those outside every run (a later run's pages left out). */
export function ofRun(files: Map<string, string>, runId: string): Map<string, string> {
  return new Map([...files].filter(([key]) => !key.includes('/run=') || key.includes(`/run=${runId}/`)));
}

export async function reportFiles(out: string): Promise<Map<string, string>> {
  const store = new FolderObjectStore(out);
  const files = new Map<string, string>();
  for (const key of await store.list('')) {
    if (key.startsWith('_')) continue;
    files.set(key, await readFile(join(out, key), 'utf8'));
  }
  return files;
}
