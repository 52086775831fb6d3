import * as z from 'zod';
import type { Clock, ObjectStore } from '../ports.js';
import { planCheckpointKey, RUN_ID } from './keys.js';
import { isoTime, readRecord, type ReadResult, type RunRecord } from './records.js';
import { MAX_TIES } from './seek.js';

/**
 * How far a run's planning got, written when a part of it stops before its invocation's deadline
 * (`_runs/<run>/plan-checkpoint.json`): the next part, started by a plan message, goes on from here. One schema
 * gives its type and checks it when read back.
 */

const seekPositionSchema = z.object({
  after: isoTime,
  from: z.number().int().min(0),
  skip: z.array(z.string()).max(MAX_TIES),
});

const windowSchema = z.object({
  since: isoTime,
  until: isoTime,
  count: z.number().int().min(0).optional(),
  /** where its next page starts, once paging stopped inside it */
  next: seekPositionSchema.optional(),
  done: z.boolean().optional(),
});

/** The reports of tickets' children that read from the same cursor, planned together from one read of the changed tickets. */
const childrenGroupSchema = z.object({
  /** the parents' folder name ("call"), where they are not tickets */
  parent: z
    .string()
    .regex(/^[a-z]+$/)
    .optional(),
  /** parents modified since this time (to the run's start) */
  since: isoTime,
  /** the run's requests (their index) this group plans */
  targets: z.array(z.number().int().min(0)).min(1),
  /** the changed tickets' search windows, once counted, each with how far it was read */
  windows: z.array(windowSchema).optional(),
  /** per report: tickets the last complete run found with approvals pending, not (yet) found changed: read last */
  carried: z.record(z.string(), z.array(z.string().regex(/^\d{1,25}$/))),
  done: z.boolean().optional(),
});
export type ChildrenGroup = z.infer<typeof childrenGroupSchema>;

export const planCheckpointSchema = z.object({
  runId: z.string().regex(RUN_ID),
  /** the part that goes on from here (the first part is 1) */
  part: z.number().int().min(1),
  /** when it was written: a planning is abandoned only this long after its last checkpoint */
  at: isoTime,
  /** the invocation running this part, until when: a second delivery of its message waits instead of planning it again */
  lease: z.object({ token: z.string(), until: isoTime }).optional(),
  /** Zoho's time when the first part started: no cursor of this run may be later */
  cursorAt: isoTime.optional(),
  /** pages planned so far per report (queued or set aside) */
  planned: z.record(z.string(), z.number().int().min(0)),
  /** pages queued so far */
  sent: z.number().int().min(0),
  /** credits discovery spent so far */
  credits: z.number().min(0),
  fullReads: z.array(z.string()),
  reconciles: z.array(z.string()),
  /** how many of the run's reports other than tickets' children (in the order asked) are planned */
  reports: z.number().int().min(0),
  /**
   * `read-first`: those reports are taken with the ones read first (tickets) ahead, in which order `reports`
   * counts; a checkpoint without it was written by a version that took them in the order asked.
   */
  order: z.literal('read-first').optional(),
  /** the reports of tickets' children, once their stage began */
  children: z.array(childrenGroupSchema).optional(),
});
export type PlanCheckpoint = z.infer<typeof planCheckpointSchema>;

/** Where the first part starts: nothing planned yet. */
export function firstCheckpoint(runId: string, now: number): PlanCheckpoint {
  return {
    runId,
    part: 1,
    at: new Date(now).toISOString(),
    planned: {},
    sent: 0,
    credits: 0,
    fullReads: [],
    reconciles: [],
    reports: 0,
    order: 'read-first',
  };
}

/**
 * What makes a checkpoint that passed its schema unusable for this run: it names another run, or reports and
 * requests the run never asked for. Undefined when it is usable.
 */
export function checkpointProblem(
  checkpoint: PlanCheckpoint,
  run: RunRecord,
  reportsToPlan: number,
  readsChildren: (index: number) => boolean,
): string | undefined {
  if (checkpoint.runId !== run.runId) return `it belongs to run ${checkpoint.runId}`;
  if (checkpoint.reports > reportsToPlan)
    return `it counts ${checkpoint.reports} reports planned, of ${reportsToPlan} the run plans before tickets' children`;
  for (const group of checkpoint.children ?? []) {
    const stray = group.targets.find((index) => index >= run.requests.length || !readsChildren(index));
    if (stray !== undefined) return `its tickets' children name request ${stray}, which is not one of the run's reports of tickets' children`;
  }
  return undefined;
}

export const readCheckpoint = (store: ObjectStore, runId: string): Promise<ReadResult<PlanCheckpoint>> =>
  readRecord(store, planCheckpointKey(runId), planCheckpointSchema);

export const writeCheckpoint = (store: ObjectStore, checkpoint: PlanCheckpoint): Promise<void> =>
  store.put(planCheckpointKey(checkpoint.runId), `${JSON.stringify(checkpoint)}\n`, 'application/json');

/** Whether the stored checkpoint still names this invocation's lease (no other took the part over). */
export async function holdsLease(store: ObjectStore, runId: string, token: string): Promise<boolean> {
  const current = await readCheckpoint(store, runId);
  return current.kind === 'valid' && current.value.lease?.token === token;
}

/** When a part of a planning should stop starting new work: a Lambda's remaining time less a margin. */
export interface PlanningDeadline {
  reached(): boolean;
}

export const NO_DEADLINE: PlanningDeadline = { reached: () => false };

/** A deadline at a time on this clock. */
export const deadlineAt = (clock: Clock, at: number): PlanningDeadline => ({ reached: () => clock.now() >= at });

/**
 * One part's budget of work. Planning asks it before each unit (a report, a count of windows, a page of changed
 * tickets): once the deadline is reached the part stops, finishing the units it is in. The first unit of a part
 * always goes ahead, so every part gets somewhere, however little time it had.
 */
export class PartBudget {
  private begun = 0;

  constructor(private readonly deadline: PlanningDeadline) {}

  /** Whether to start another unit; counts it when so. */
  next(): boolean {
    if (this.begun > 0 && this.deadline.reached()) return false;
    this.begun += 1;
    return true;
  }
}
