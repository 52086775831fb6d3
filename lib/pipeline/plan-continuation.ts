import { randomBytes } from 'node:crypto';
import { InvalidMessageError, RetryLaterError } from '../errors.js';
import { warn, type PipelineDeps } from './deps.js';
import { planCheckpointKey, runRecordKey } from './keys.js';
import { readRunRecord, writeJson } from './manifest.js';
import type { PlanMessage, Target } from './messages.js';
import { checkpointProblem, readCheckpoint, writeCheckpoint } from './plan-checkpoint.js';
import { planPart, targetsOf, type PlanResult } from './planner.js';
import { quarantineKey } from './records.js';
import { readsChangedParents } from './series.js';

/** What a plan message came to: a part planned, or nothing to do (a repeated delivery), and why. */
export type Continuation = ({ kind: 'planned' } & PlanResult) | { kind: 'skipped'; runId: string; reason: string };

/** How long a part holds its lease where the invocation's end is unknown (one machine): longer than any part. */
const LOCAL_LEASE_MS = 15 * 60_000;

/**
 * A plan message: the next part of a run's planning, from its checkpoint. SQS delivers at least once, so a
 * message may come again, or twice at once: a part that already ran, or a run no longer planning, is a no-op;
 * a part another invocation holds (its lease) comes back later. A run or checkpoint that cannot be continued
 * is a clear error: the message goes to the dead-letter queue with the reason, and a run whose checkpoint is
 * spoiled is marked failed (no cursor moves for it; the next scheduled run plans everything again).
 */
export async function continuePlanning(message: PlanMessage, deps: PipelineDeps): Promise<Continuation> {
  const { runId, part } = message;
  const skip = (reason: string): Continuation => {
    deps.logger.info({ runId, part }, reason);
    return { kind: 'skipped', runId, reason };
  };
  const run = await readRunRecord(deps.store, runId, (m) => warn(deps, m));
  if (!run) throw new InvalidMessageError(`run ${runId} has no valid run record in ${deps.store.description}, so it has no planning to continue`);
  if (run.status !== 'planning') return skip(`run ${runId} is ${run.status}: its planning has nothing left to continue (a repeated plan message)`);
  const stored = await readCheckpoint(deps.store, runId);
  if (stored.kind === 'missing') {
    // Every part writes its checkpoint before it queues the next part's message: this message was not queued by one.
    throw new InvalidMessageError(`run ${runId} has no planning checkpoint (${planCheckpointKey(runId)}), so part ${part} cannot go on from one`);
  }
  const targets = targetsOf(run);
  const others = targets.filter((target) => !readsChangedParents(target)).length;
  const problem =
    stored.kind === 'invalid'
      ? stored.reason
      : checkpointProblem(stored.value, run, others, (index) => readsChangedParents(targets[index] as Target));
  if (stored.kind === 'invalid' || problem !== undefined) {
    const key = planCheckpointKey(runId);
    await deps.store.put(quarantineKey(key), (await deps.store.get(key)) ?? '', 'application/json');
    const reason = `planning failed: its checkpoint ${key} cannot be used (${problem ?? 'invalid'}); a copy is in ${quarantineKey(key)}`;
    const { continuing: _continuing, ...rest } = run;
    await writeJson(deps.store, runRecordKey(runId), { ...rest, status: 'failed', reason });
    await deps.store.delete([key]);
    throw new InvalidMessageError(`run ${runId}: ${reason}`);
  }
  const checkpoint = stored.value;
  if (part < checkpoint.part)
    return skip(`part ${part} of run ${runId}'s planning already ran (it is at part ${checkpoint.part}): a repeated plan message`);
  if (part > checkpoint.part) throw new InvalidMessageError(`run ${runId}'s planning is at part ${checkpoint.part}, not ${part}`);
  const now = deps.clock.now();
  if (checkpoint.lease && Date.parse(checkpoint.lease.until) > now) {
    throw new RetryLaterError(`part ${part} of run ${runId}'s planning is being planned by another invocation until ${checkpoint.lease.until}`);
  }
  // Held for this invocation: a second delivery at the same moment waits for it rather than planning the same pages.
  const token = randomBytes(8).toString('hex');
  const until = new Date(deps.invocation?.end ?? now + LOCAL_LEASE_MS).toISOString();
  const leased = { ...checkpoint, lease: { token, until } };
  await writeCheckpoint(deps.store, leased);
  const check = await readCheckpoint(deps.store, runId);
  if (check.kind !== 'valid' || check.value.lease?.token !== token) {
    throw new RetryLaterError(`part ${part} of run ${runId}'s planning was taken by another invocation at the same moment`);
  }
  return { kind: 'planned', ...(await planPart(run, leased, deps, token)) };
}
