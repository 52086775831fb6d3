import { InvalidMessageError } from '../errors.js';
import { findReport, type ReportDefinition } from './catalog.js';

/**
 * What a target reads (issue 16: a route is its own kind of target, not a report): one of the catalogue's
 * reports, or a Desk route an on-demand message names. On the wire a route's target still says
 * `"report": "route"` (design.md, on-demand messages); the pipeline asks here rather than naming it.
 */
/** What a message or a run asks for: a report (with its parameters), or a route (design.md, messages). */
export interface Target {
  /** a report id, or ROUTE_TARGET */
  report: string;
  /** for a route target: the path under /api/v1 */
  route?: string;
  params: Record<string, string>;
  secretId?: string;
}

export type Source = { kind: 'report'; report: ReportDefinition } | { kind: 'route'; route: string };

/** The report name a route target carries in its messages, receipts and folder (`route/…`). */
export const ROUTE_TARGET = 'route';

/** A target, message or receipt as far as what it reads goes. */
interface Named {
  report: string;
  route?: string | undefined;
}

export const isRoute = (target: Named): boolean => target.report === ROUTE_TARGET;

/** What the target reads; undefined for a report the catalogue does not hold (a message of a later version). */
export function sourceOf(target: Named): Source | undefined {
  if (isRoute(target)) return { kind: 'route', route: target.route ?? '/' };
  const report = findReport(target.report);
  return report ? { kind: 'report', report } : undefined;
}

/** The report the target reads, if it reads one of the catalogue's (a route reads none). */
export function reportOf(target: Named): ReportDefinition | undefined {
  const source = sourceOf(target);
  return source?.kind === 'report' ? source.report : undefined;
}

/** What a validated message reads: a report the catalogue does not hold is an invalid message here. */
export function sourceOfMessage(target: Named): Source {
  const source = sourceOf(target);
  if (!source) throw new InvalidMessageError(`report "${target.report.slice(0, 40)}" is not one this version reads`);
  return source;
}
