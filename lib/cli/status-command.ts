import { join, relative } from 'node:path';
import { FolderObjectStore } from '../adapters/folder-object-store.js';
import { peekQueueFolder } from '../adapters/queue-folder-view.js';
import { readRunRecord, runManifests, type RunRecord } from '../pipeline/manifest.js';
import type { ObjectStore } from '../ports.js';
import { DEFAULT_OUT, type CliContext } from './context.js';
import type { Output } from './output.js';
import { table } from './output.js';

export interface StatusOptions {
  out?: string;
  runs: number;
  /** only this portal's runs: its org id, or the secretId its runs were planned with */
  portal?: string;
}

/** How far back `--portal` looks for that portal's runs among everyone's. */
const PORTAL_LOOKBACK = 500;

/** Whether a run is the portal's: by its org id, or by the secret it named. */
const ofPortal = (run: RunRecord | undefined, portal: string) => run !== undefined && (run.orgId === portal || run.secretId === portal);

/** Dead-letter reasons, counted: the same reason a thousand times is one line. */
export function printReasons(out: Output, reasons: string[]): void {
  const counted = new Map<string, number>();
  for (const reason of reasons) counted.set(reason, (counted.get(reason) ?? 0) + 1);
  for (const [reason, count] of [...counted.entries()].slice(0, 10)) out.line(`  ${count} × ${reason}`);
}

/** The stack's firing alarms (names without the stack's prefix) in one line, or why they are unknown. */
export function alarmsLine(firing: string[] | Error): string {
  if (firing instanceof Error) return `Alarms: unknown (${(firing.message || firing.name).split('\n')[0]}).`;
  if (firing.length === 0) return 'Alarms: none firing.';
  return `Alarms: ${firing.length} firing: ${firing.join(', ')}.`;
}

/** The last runs in a bucket (or folder), newest first (of one portal, with `portal`), each with its manifests computed now. */
export async function printRuns(out: Output, store: ObjectStore, count: number, portal?: string): Promise<void> {
  const all = (await store.folders('_runs/')).reverse();
  const runs: Array<{ runId: string; run: RunRecord | undefined }> = [];
  for (const runId of all.slice(0, portal ? PORTAL_LOOKBACK : count)) {
    const run = await readRunRecord(store, runId);
    if (portal && !ofPortal(run, portal)) continue;
    runs.push({ runId, run });
    if (runs.length === count) break;
  }
  if (runs.length === 0) {
    out.line(
      portal
        ? `No runs of portal ${portal} among the last ${Math.min(all.length, PORTAL_LOOKBACK)} in ${store.description} (give its org id, or the secretId its runs name).`
        : `No runs in ${store.description} yet.`,
    );
    return;
  }
  for (const { runId, run } of runs) {
    const manifests = await runManifests(store, runId);
    out.line('');
    const of = run?.orgId ? `, portal ${run.orgId}${run.secretId ? ` (${run.secretId})` : ''}` : '';
    out.line(`Run ${runId} (${run?.trigger ?? 'unknown trigger'}, ${run?.status ?? 'no run record'}${of}, started ${run?.startedAt ?? '?'})`);
    if (run?.reason) out.line(`  ${run.reason}`);
    if (run?.status === 'planning' && run.continuing) {
      const { part, pages, at } = run.continuing;
      out.line(`  planning continuing: part ${part} next, ${pages} page(s) queued so far, last checkpoint ${at}`);
    }
    const rows = manifests.map((m) => [
      m.report,
      m.status,
      `${m.pages.written}/${m.pages.planned}`,
      m.pages.pending,
      m.records,
      m.pages.deadLettered,
      m.pages.failed,
      m.pages.unavailable,
      m.credits,
    ]);
    if (rows.length) out.line(table(['report', 'status', 'pages', 'pending', 'records', 'dead-lettered', 'failed', 'unavailable', 'credits'], rows));
  }
}

/** `status` (local): the queue and dead-letter queue, and the last runs with their manifests. Reads only. */
export async function showStatus(options: StatusOptions, context: CliContext): Promise<void> {
  const out = context.out;
  const root = options.out ?? context.env.REPORTS_DIR ?? DEFAULT_OUT;
  const queue = await peekQueueFolder(join(root, '.queue'));
  out.line(`Queue in ${root}/.queue: ${queue.waiting} message(s) waiting, ${queue.dead.length} dead-lettered.`);
  printReasons(
    out,
    queue.dead.map((d) => d.reason),
  );
  if (queue.dead.length) out.line('  `zoho-desk-reports redrive` moves them back and fetches them again.');
  for (const { file, reason } of queue.invalid) {
    out.line(`Not a valid message: ${relative(root, file)}: ${reason} (the next run moves it to .queue/quarantine/).`);
  }
  if (queue.quarantined)
    out.line(`${queue.quarantined} file(s) in ${join(root, '.queue', 'quarantine')}/ that were not valid messages: look at them, then delete them.`);
  await printRuns(out, new FolderObjectStore(root), options.runs, options.portal);
}
