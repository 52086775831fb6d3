import type { Clock, Logger, ObjectStore, WorkQueue } from '../ports.js';
import type { ZohoConnection } from '../zoho/connect.js';
import type { PlanningDeadline } from './plan-checkpoint.js';

/** What happened, for progress bars and logs. */
export type PipelineEvent =
  | { type: 'planned'; runId: string; report: string; pages: number }
  | { type: 'page'; runId: string; report: string; outcome: 'written' | 'unavailable'; records: number; credits: number }
  | { type: 'dead-lettered'; runId: string | undefined; report: string | undefined; reason: string }
  | { type: 'retry'; report: string | undefined; reason: string; delayMs: number }
  /** something the person running it should know (a state repaired) */
  | { type: 'warning'; message: string }
  /** the run is waiting, and why: to be shown at once */
  | { type: 'waiting'; message: string };

/** Where warnings go: the log, and whoever watches the run's events (the command line prints them). */
export interface WarningSink {
  logger: Logger;
  events?: (event: PipelineEvent) => void;
}

/**
 * Everything the planner and the page worker talk to, built once per process (AWS adapters in the Lambdas,
 * local ones on this machine) and passed in.
 */
export interface PipelineDeps extends WarningSink {
  store: ObjectStore;
  queue: WorkQueue;
  clock: Clock;
  /** the Zoho connection for a message's secretId (undefined: the deployment's default secret) */
  zoho(secretId: string | undefined): Promise<ZohoConnection>;
  /** secretId in messages must start with this */
  secretPrefix: string;
  /** receives before a failing page goes to the dead-letter queue */
  maxReceiveCount: number;
  /**
   * When the current invocation ends (on `clock`), in a Lambda; the Zoho connections' call budget reads it,
   * so no call is started that could not finish in time. Absent on one machine.
   */
  invocation?: { end: number | undefined };
  /** how often a report of changes (tickets) is read in full to reconcile deletions (default a day; 0: every run) */
  reconcileMs?: number;
  /**
   * A deadline for each part of a planning, asked when the part starts: in a Lambda, the invocation's end less
   * a margin; none on one machine (one part), unless a test sets one to force many parts.
   */
  planningDeadline?: () => PlanningDeadline;
  /** where a planning that stopped at its deadline queues its next part (default: `queue`) */
  planQueue?: WorkQueue;
}

/** A warning to the log and to whoever watches the events (the command line prints it). */
export function warn(deps: WarningSink, message: string, fields: Record<string, unknown> = {}): void {
  deps.logger.warn(fields, message);
  deps.events?.({ type: 'warning', message });
}
