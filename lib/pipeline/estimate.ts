import { findReport, type ReportDefinition } from '../reports/catalog.js';
import { LIST_CALL_WEIGHT } from '../zoho/credits.js';
import { endpoint as endpointOf } from '../zoho/endpoints.js';

/**
 * What a run's planned pages will cost, and how many days a portal's pool takes to pay for it. Lists and
 * searches cost 3 credits a page at the depths a run reads, a call that is not paged (a ticket's approvals, the
 * field metadata) 1 (Zoho's credit model, docs §4.2). Pages a report finds as it reads (each full page plans
 * the next) are not known yet: the figure is a floor.
 */
export interface CreditEstimate {
  pages: number;
  credits: number;
  /** credits Zoho says are left today, less the reserve, when it has said */
  leftToday?: number;
  /** what a day gives once the pool resets: the pool less the reserve, when the pool is known */
  perDay?: number;
  /** days until the planned pages are read at that pace, counting today as the first */
  days?: number;
}

export function pageWeight(reportId: string): number {
  const report = findReport(reportId) as ReportDefinition | undefined;
  if (!report) return LIST_CALL_WEIGHT;
  return endpointOf(report.endpoint).paginated ? LIST_CALL_WEIGHT : 1;
}

/**
 * `spentSoFar`: what the run has spent already (its pages are read while it is planned); the days count what
 * is left of the estimate from Zoho's last word on today's credits.
 */
export function estimateCredits(
  planned: Record<string, number>,
  meter: { remaining?: number | undefined; reserve: number; pool?: number | undefined },
  spentSoFar = 0,
): CreditEstimate {
  const pages = Object.values(planned).reduce((sum, n) => sum + n, 0);
  const credits = Object.entries(planned).reduce((sum, [report, n]) => sum + n * pageWeight(report), 0);
  const estimate: CreditEstimate = { pages, credits };
  if (meter.remaining === undefined) return estimate;
  estimate.leftToday = Math.max(0, meter.remaining - meter.reserve);
  if (meter.pool === undefined) return estimate;
  estimate.perDay = Math.max(0, meter.pool - meter.reserve);
  const beyondToday = Math.max(0, credits - spentSoFar) - estimate.leftToday;
  estimate.days = beyondToday <= 0 ? 1 : estimate.perDay > 0 ? 1 + Math.ceil(beyondToday / estimate.perDay) : undefined;
  return estimate;
}

/** "15445 pages, at least 46335 credits; 3800 left today above the reserve, then 4000 a day: about 12 days" */
export function describeEstimate(estimate: CreditEstimate): string {
  const cost = `about ${estimate.credits} credits or more`;
  if (estimate.leftToday === undefined || estimate.days === 1 || (estimate.days === undefined && estimate.credits <= estimate.leftToday)) return cost;
  const pace =
    estimate.days === undefined
      ? `more than the ${estimate.leftToday} left today above the reserve`
      : `${estimate.leftToday} are left today above the reserve, then ${estimate.perDay} a day: about ${estimate.days} days. ` +
        'It stops at the reserve each day; `run` again after the daily reset goes on where it stopped';
  return `${cost}; ${pace}`;
}
