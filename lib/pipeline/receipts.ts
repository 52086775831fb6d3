import pLimit from 'p-limit';
import type { ObjectStore } from '../ports.js';
import { findReport } from '../reports/catalog.js';
import { routeParamsScope, routeScope } from '../reports/route.js';
import { foldedReceiptsKey, pageKey, plannedBatchKey, plannedBatchPrefix, receiptKey, receiptPrefix } from './keys.js';
import type { PageMessage } from './messages.js';
import { receiptSchema, type PageStatus, type Receipt } from './records.js';

export type { PageStatus, Receipt } from './records.js';

/**
 * One small object per page says what became of it: planned, written, dead-lettered, failed or unavailable.
 * Each page's receipt is written only by whoever handles that page, so concurrent workers never overwrite
 * each other's news; run manifests are derived from the receipts.
 */

/** The folder part of a page's key: "ticket=…/", "route=tickets.…/", or "" for plain reports. */
export function scopeOf(message: Pick<PageMessage, 'report' | 'route' | 'params'>): string {
  if (message.report === 'route') return `${routeScope(message.route ?? '/')}${routeParamsScope(message.params)}`;
  const report = findReport(message.report);
  if (report?.scope) return report.scope(message.params);
  const parent = report?.parent && message.params[report.parent.param];
  // A fanned-out report without its parent (one that could not be planned) has a report-wide scope.
  return report?.parent && parent ? `${report.parent.scope}=${parent}/` : '';
}

export function keyOf(message: PageMessage): string {
  return pageKey(message.report, message.runId, scopeOf(message), message.page);
}

/** A page as planned, not yet handled. */
export function plannedReceipt(message: PageMessage): Receipt {
  return { report: message.report, runId: message.runId, scope: scopeOf(message), page: message.page, status: 'planned' };
}

/**
 * The planned receipts of pages queued together, in one object: a planner writes one object per batch, not
 * one per page (a first run plans a page per ticket per report); each page's own receipt supersedes its line.
 */
export async function writePlannedBatch(store: ObjectStore, runId: string, batch: number, messages: readonly PageMessage[]): Promise<void> {
  const lines = messages.map((message) => `${JSON.stringify(plannedReceipt(message))}\n`).join('');
  await store.put(plannedBatchKey(runId, batch), lines, 'application/x-ndjson');
}

export async function writeReceipt(
  store: ObjectStore,
  message: PageMessage,
  status: PageStatus,
  details: Pick<Receipt, 'records' | 'ids' | 'credits' | 'reason' | 'body' | 'cause'> = {},
): Promise<void> {
  const scope = scopeOf(message);
  const receipt: Receipt = { report: message.report, runId: message.runId, scope, page: message.page, status, ...details };
  if (status === 'written' && (details.records ?? 1) > 0) receipt.key = keyOf(message);
  await store.put(receiptKey(message.report, message.runId, scope, message.page), `${JSON.stringify(receipt)}\n`, 'application/json');
}

/** The receipts of a run: those folded when it was finalized, overridden by any page receipt written since. */
export async function readReceipts(store: ObjectStore, runId: string): Promise<Receipt[]> {
  return (await readReceiptFiles(store, runId)).receipts;
}

const identity = (r: Pick<Receipt, 'report' | 'scope' | 'page'>) => `${r.report}\u0000${r.scope}\u0000${r.page}`;

function parseReceipt(text: string): Receipt | undefined {
  try {
    const parsed = receiptSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The run's receipts, and the keys of its planned batches and page receipts not yet folded. */
export async function readReceiptFiles(store: ObjectStore, runId: string): Promise<{ receipts: Receipt[]; loose: string[] }> {
  const byPage = new Map<string, Receipt>();
  const readLines = (text: string | undefined) => {
    for (const line of (text ?? '').split('\n')) {
      if (!line) continue;
      // A line edited past reading: its page counts as pending when it can still be named, so no manifest is complete.
      const receipt = parseReceipt(line) ?? namedIn(line, runId);
      byPage.set(identity(receipt), receipt);
    }
  };
  // Oldest news first: what the planner queued, then what finalizing folded, then each page's own receipt.
  const batches = await store.list(plannedBatchPrefix(runId));
  for (const key of batches) readLines(await store.get(key));
  readLines(await store.get(foldedReceiptsKey(runId)));
  const pageReceipts = await store.list(receiptPrefix(runId));
  const loose = [...batches, ...pageReceipts];
  const limit = pLimit(32); // many small reads at once: S3 and the disk both answer faster in parallel
  const read = async (key: string): Promise<Receipt | undefined> => {
    const text = await store.get(key);
    if (text === undefined) return undefined;
    // A receipt cut short or edited cannot be trusted: count its page as still pending.
    return parseReceipt(text) ?? { ...receiptFromKey(key, runId), status: 'planned', reason: 'unreadable receipt' };
  };
  for (const receipt of await Promise.all(pageReceipts.map((key) => limit(() => read(key))))) {
    if (receipt) byPage.set(identity(receipt), receipt);
  }
  return { receipts: [...byPage.values()], loose };
}

/**
 * The page a folded line was about, read from its text (receipts are written report, runId, scope, page first),
 * as pending; a line that does not even name its report still keeps the run from looking complete.
 */
function namedIn(line: string, runId: string): Receipt {
  const report = /^\{"report":"([^"\\]+)"/.exec(line)?.[1] ?? 'unreadable-receipts';
  const scope = /"scope":"([^"\\]*)"/.exec(line)?.[1] ?? '';
  const page = Number(/"page":(\d+)/.exec(line)?.[1] ?? 0);
  return { report, runId, scope, page, status: 'planned', reason: 'unreadable receipt' };
}

/**
 * Folds a finished run's page receipts into one object and removes them: half of an export's files were
 * receipts. Written first, removed after, so a fold cut short leaves both, and reading prefers the page receipt.
 */
export async function foldReceipts(store: ObjectStore, runId: string, receipts: readonly Receipt[], loose: readonly string[]): Promise<void> {
  const sorted = [...receipts].sort((a, b) => a.report.localeCompare(b.report) || a.scope.localeCompare(b.scope) || a.page - b.page);
  await store.put(foldedReceiptsKey(runId), sorted.map((receipt) => `${JSON.stringify(receipt)}\n`).join(''), 'application/x-ndjson');
  await store.delete(loose);
}

function receiptFromKey(key: string, runId: string): Pick<Receipt, 'report' | 'runId' | 'scope' | 'page'> {
  const rest = key.slice(receiptPrefix(runId).length);
  const report = rest.slice(0, rest.indexOf('/'));
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  const scope = rest.slice(report.length + 1, rest.length - name.length);
  return { report, runId, scope, page: Number(/page-(\d+)/.exec(name)?.[1] ?? 0) };
}
