import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { refreshExportViews } from '../analytics/custom-field-views.js';
import { ConfigError, describeError } from '../errors.js';
import type { ViewCatalog } from '../ports.js';
import { newRunId } from '../pipeline/keys.js';
import { warn, type PipelineDeps } from '../pipeline/deps.js';
import { finalizeRecentRuns } from '../pipeline/recent-runs.js';
import { planRun, type PlanResult } from '../pipeline/planner.js';
import { buildTargets } from '../reports/targets.js';
import { buildConsumer } from './consumer.js';

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
  /** every run planned, one a portal (the first is the one the other fields describe) */
  runs: Array<PlanResult & { secretId?: string }>;
}

/**
 * A run still `planning` this long after its start or its last checkpoint was abandoned. Longer than a part of
 * the planning (the scheduler's timeout, 300 s) and than the plan queue's visibility timeout (600 s), after
 * which the message of a part that was cut off comes back for another try.
 */
export const PLANNING_TIMEOUT_MS = 30 * 60_000;

/** Kept free at the end of an invocation for answering Lambda after the last write. */
const FINISH_MS = 5_000;

function isScheduledEvent(event: unknown): boolean {
  const e = event as Record<string, unknown> | null;
  return e !== null && typeof e === 'object' && e.source === 'aws.events';
}

/**
 * Athena's views get a column per custom field, as the field metadata of the runs just finalized says, and the
 * portal of files written before portals. A failure here is reported and the run is planned all the same: the
 * views keep their columns and `cf` until next time.
 */
async function refreshViews(deps: PipelineDeps, views: ViewCatalog): Promise<void> {
  try {
    const replaced = await refreshExportViews(deps.store, views, (message) => warn(deps, message));
    if (replaced.length) deps.logger.info({ views: replaced }, 'views given the custom fields and portals of the export');
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
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
  /** further portals the schedule runs (their secretIds), besides the deployment's own secret's */
  portals: readonly string[] = [],
): Promise<ScheduleResult> {
  // Planning stops before the invocation ends (deps.planningDeadline) and goes on in a further part.
  if (deps.invocation) deps.invocation.end = context ? deps.clock.now() + context.getRemainingTimeInMillis() - FINISH_MS : undefined;
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
  // The schedule runs every portal, one run each, in turn: a portal whose planning outlasts this invocation goes
  // on from the plan queue, and the next portal still plans its first part here. By hand: the portal named.
  const secretIds = trigger === 'schedule' ? [undefined, ...portals] : [secretId];
  const runs: ScheduleResult['runs'] = [];
  for (const portal of secretIds) {
    const runId = newRunId(deps.clock.now());
    const plan = await planRun({ runId, targets, trigger, ...(portal ? { secretId: portal } : {}) }, deps);
    deps.logger.info({ runId, planned: plan.planned, finalized, ...(portal ? { secretId: portal } : {}) }, 'run planned');
    runs.push({ ...plan, ...(portal ? { secretId: portal } : {}) });
  }
  const [first] = runs as [ScheduleResult['runs'][number]];
  const { secretId: _secretId, ...plan } = first;
  return { ...plan, trigger, finalized, runs };
}

const isSqsEvent = (event: unknown): event is SQSEvent => typeof event === 'object' && event !== null && Array.isArray((event as SQSEvent).Records);

/**
 * The scheduler Lambda: on its schedule (or invoked by hand) it plans a run; from its plan queue it plans the
 * next part of a run whose planning stopped before the scheduler's timeout — with the scheduler's own 300 s,
 * 512 MB and a queue of its own, so a part never waits behind the pages already queued. One record a batch
 * (serverless.yml); retried and dead-lettered like a page.
 */
export function buildScheduler(
  deps: PipelineDeps,
  scheduledReports: readonly string[],
  views?: ViewCatalog,
  portals: readonly string[] = [],
): SchedulerHandler {
  // A plan message always starts: its part plans one unit at least, whatever time is left.
  const continuations = buildConsumer(deps, { concurrency: 1, queue: deps.planQueue ?? deps.queue, reserveMs: 0 });
  return ((event: unknown, context?: Context) =>
    isSqsEvent(event)
      ? (continuations(event, context as Context) as Promise<unknown> as Promise<SQSBatchResponse>)
      : schedule(event, deps, scheduledReports, views, context, portals)) as SchedulerHandler;
}

export interface SchedulerHandler {
  /** plan messages from the plan queue: the failed ones' ids (partial batch failure) */
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  /** the schedule, or a manual invocation */
  (event: unknown, context?: Context): Promise<ScheduleResult>;
}
