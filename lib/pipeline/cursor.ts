import { InvalidMessageError } from '../errors.js';
import { runStartedAt } from './keys.js';

/**
 * How far ahead of this machine's clock a run id or a stored cursor may be before it is refused or repaired:
 * the clocks of Lambda instances and of Zoho agree far better than this, so anything beyond is an error.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/**
 * How far ahead of this machine's clock a stored cursor may be before it is repaired. A cursor is never set
 * later than the clock of the run that wrote it, so only two machines' clocks can differ here — by far less
 * than the 10 minutes the next run reads back (CURSOR_OVERLAP_MS), which this must stay under.
 */
export const FUTURE_CURSOR_TOLERANCE_MS = 60_000;

/** The earliest day Athena's partition projection reads (`range 2020-01-01,NOW`): a run before it is invisible. */
export const EARLIEST_RUN_DAY = '2020-01-01';

/**
 * A page message's run must have started by now: a run id from the future would name a cursor later than
 * anything read, and every later run would then plan nothing. Old runs are fine (a redrive weeks later).
 */
export function checkRunTime(runId: string, now: number): void {
  const started = runStartedAt(runId);
  if (Date.parse(started) > now + MAX_CLOCK_SKEW_MS) {
    throw new InvalidMessageError(
      `runId ${runId} starts at ${started}, ${describeAhead(Date.parse(started) - now)} ahead of this clock (${new Date(now).toISOString()}); ` +
        "a run id comes from the planner's clock: send the on-demand form without runId, or fix the clock that made it",
    );
  }
  if (started.slice(0, 10) < EARLIEST_RUN_DAY) {
    throw new InvalidMessageError(`runId ${runId} is dated before ${EARLIEST_RUN_DAY}, where Athena would never see its pages`);
  }
}

function describeAhead(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 48 ? `${Math.round(hours / 24)} days` : hours >= 1 ? `${hours.toFixed(1)} h` : `${Math.round(ms / 60_000)} min`;
}

/**
 * Zoho's time when the planner started, from the Date header of an answer it read (and how long ago, on our
 * clock, that answer came): the latest a cursor of the run may be, whatever this machine's clock says.
 * Date has whole seconds, so a second is taken off.
 */
export function zohoTimeAt(localStart: number, reading: { serverMs: number; localMs: number } | undefined): number | undefined {
  if (!reading) return undefined;
  return reading.serverMs - (reading.localMs - localStart) - 1000;
}
