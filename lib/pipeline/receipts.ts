import pLimit from 'p-limit';
import type { ObjectStore } from '../ports.js';
import { findReport } from '../reports/catalog.js';
import { routeParamsScope, routeScope } from '../reports/route.js';
import { pageKey, receiptKey, receiptPrefix } from './keys.js';
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

export async function readReceipts(store: ObjectStore, runId: string): Promise<Receipt[]> {
  const keys = await store.list(receiptPrefix(runId));
  const limit = pLimit(32); // many small reads at once: S3 and the disk both answer faster in parallel
  const read = async (key: string): Promise<Receipt | undefined> => {
    const text = await store.get(key);
    if (text === undefined) return undefined;
    let parsed;
    try {
      parsed = receiptSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    // A receipt cut short or edited cannot be trusted: count its page as still pending.
    return parsed?.success ? parsed.data : { ...receiptFromKey(key, runId), status: 'planned', reason: 'unreadable receipt' };
  };
  const receipts = await Promise.all(keys.map((key) => limit(() => read(key))));
  return receipts.filter((r): r is Receipt => r !== undefined);
}

function receiptFromKey(key: string, runId: string): Pick<Receipt, 'report' | 'runId' | 'scope' | 'page'> {
  const rest = key.slice(receiptPrefix(runId).length);
  const report = rest.slice(0, rest.indexOf('/'));
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  const scope = rest.slice(report.length + 1, rest.length - name.length);
  return { report, runId, scope, page: Number(/page-(\d+)/.exec(name)?.[1] ?? 0) };
}
