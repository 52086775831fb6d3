import { findReport } from '../reports/catalog.js';
import { describeEndpoint, endpoint as endpointOf, type DeskEndpoint } from '../zoho/endpoints.js';
import type { PageMessage } from './messages.js';
import { isRoute } from '../reports/sources.js';

/**
 * Why the records of a list past Zoho's depth limit (`from` up to 4999 on lists) are not exported, and what a
 * person can do about it: the reason a `failed` page carries, in the manifest and the run's summary.
 */
export function depthReason(message: Pick<PageMessage, 'report' | 'from'>, target: DeskEndpoint): string {
  const report = findReport(message.report);
  const advice = isRoute(message)
    ? 'Narrow the route with its query parameters'
    : report?.deepRead
      ? `The next run counts again and reads them through ${describeEndpoint(endpointOf(report.deepRead.endpoint))} in time windows`
      : report?.depthAdvice;
  const reason =
    `${describeEndpoint(target)} cannot be read past record ${message.from - target.fromBase}: Zoho Desk's \`from\` stops at ` +
    `${target.fromMax}, and its API offers no other way to list these records, so the rest are not exported`;
  return advice ? `${reason}. ${advice}.` : `${reason}.`;
}
