import * as z from 'zod';
import { refreshCustomFieldViews } from '../analytics/custom-field-views.js';
import { ConfigError, describeError } from '../errors.js';
import type { ViewCatalog } from '../ports.js';
import { newRunId } from '../pipeline/keys.js';
import { warn, type PipelineDeps } from '../pipeline/deps.js';
import { finalizeRecentRuns } from '../pipeline/recent-runs.js';
import { planRun, type PlanResult } from '../pipeline/planner.js';
import { buildTargets } from '../reports/targets.js';

/** What can be passed when invoking the scheduler by hand (`serverless invoke -f scheduler -d '{…}'`). */
const manualSchema = z
  .object({
    reports: z.array(z.string()).optional(),
    params: z.record(z.string(), z.string()).optional(),
    secretId: z.string().optional(),
  })
  .strict();

export interface ScheduleResult extends PlanResult {
  trigger: 'schedule' | 'cli';
  /** earlier runs whose manifests and cursors were brought up to date first */
  finalized: string[];
}

/** Longer than the scheduler's timeout (serverless.yml: 300 s): a run still `planning` after it was abandoned. */
const PLANNING_TIMEOUT_MS = 15 * 60_000;

function isScheduledEvent(event: unknown): boolean {
  const e = event as Record<string, unknown> | null;
  return e !== null && typeof e === 'object' && e.source === 'aws.events';
}

/**
 * Athena's views get a column per custom field, as the field metadata of the runs just finalized says. A failure
 * here is reported and the run is planned all the same: the views keep their columns and `cf` until next time.
 */
async function refreshViews(deps: PipelineDeps, views: ViewCatalog): Promise<void> {
  try {
    const replaced = await refreshCustomFieldViews(deps.store, views, (message) => warn(deps, message));
    if (replaced.length) deps.logger.info({ views: replaced }, 'views given the custom fields of the field metadata');
  } catch (error) {
    warn(
      deps,
      `The custom-field columns of the views in ${views.description} were not refreshed: ${describeError(error)} ` +
        '(the scheduler needs glue:GetTable and glue:UpdateTable on the database, which serverless.yml grants).',
    );
  }
}

/**
 * The scheduler Lambda's core: bring earlier runs' manifests and cursors up to date, then plan a new run —
 * every scheduled report on the 4-hourly schedule, or the reports (and parameters) of a manual invocation.
 */
export async function schedule(
  event: unknown,
  deps: PipelineDeps,
  scheduledReports: readonly string[],
  views?: ViewCatalog,
): Promise<ScheduleResult> {
  let reports: readonly string[] = scheduledReports;
  let params: Array<[string, string]> = [];
  let secretId: string | undefined;
  const trigger = isScheduledEvent(event) ? 'schedule' : 'cli';
  if (trigger === 'cli' && event !== undefined && event !== null && !(typeof event === 'object' && Object.keys(event).length === 0)) {
    const parsed = manualSchema.safeParse(event);
    if (!parsed.success) {
      throw new ConfigError(
        `The scheduler takes {"reports": [...], "params": {...}, "secretId": "..."}: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
      );
    }
    reports = parsed.data.reports ?? scheduledReports;
    params = Object.entries(parsed.data.params ?? {});
    secretId = parsed.data.secretId;
    if (secretId !== undefined && !secretId.startsWith(deps.secretPrefix)) {
      throw new ConfigError(`secretId must start with "${deps.secretPrefix}", the prefix this deployment may read.`);
    }
  }
  const targets = buildTargets(reports, params);
  const { finalized } = await finalizeRecentRuns(deps.store, {
    now: deps.clock.now(),
    warn: (message) => warn(deps, message),
    planningTimeoutMs: PLANNING_TIMEOUT_MS,
  });
  if (views) await refreshViews(deps, views);
  const runId = newRunId(deps.clock.now());
  const plan = await planRun({ runId, targets, trigger, ...(secretId ? { secretId } : {}) }, deps);
  deps.logger.info({ runId, planned: plan.planned, finalized }, 'run planned');
  return { ...plan, trigger, finalized };
}
