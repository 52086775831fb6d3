import { describe, expect, it } from 'vitest';
import { Pace, type PacedCall } from '../lib/zoho/pace.js';

/** Lets every promise that can settle do so: no time passes, only queued callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Timer {
  at: number;
  seq: number;
  fire(): void;
}

/**
 * A portal on a simulated clock (ticks, not time): `edition` calls at once, `others` of them held by other
 * integrations. A call it takes answers after `latency` ticks; one too many is turned away, the 429 reaching the
 * client a tick later, and the client tries it again after `backoff` ticks. Everything runs in a fixed order.
 */
class FakePortal {
  now = 0;
  inFlight = 0;
  calls = 0;
  rejected = 0;
  /** the pace's limit after every answer, with the tick it came */
  readonly limits: Array<{ at: number; limit: number }> = [];
  private readonly timers: Timer[] = [];
  private seq = 0;

  constructor(
    readonly pace: Pace,
    readonly edition: number,
    public others: number,
    readonly latency = 10,
    readonly backoff = 3,
  ) {}

  /** `count` pages, all asked for at once, as the pipeline does; resolves when every one is read */
  async pages(count: number): Promise<void> {
    const done = Promise.all(Array.from({ length: count }, () => this.page()));
    await this.runUntilIdle();
    await done;
  }

  /** Moves the clock from timer to timer until nothing is left to do. */
  async runUntilIdle(): Promise<void> {
    await settle();
    for (let timer = this.next(); timer; timer = this.next()) {
      this.now = timer.at;
      timer.fire();
      await settle();
    }
  }

  private async page(): Promise<void> {
    while (!(await this.pace.run((call) => this.call(call)))) await this.after(this.backoff);
  }

  private call(call: PacedCall): Promise<boolean> {
    this.calls += 1;
    if (this.inFlight + this.others >= this.edition) {
      this.rejected += 1;
      return this.after(1).then(() => {
        this.pace.slowDown(call);
        this.limits.push({ at: this.now, limit: this.pace.concurrency });
        return false;
      });
    }
    this.inFlight += 1;
    return this.after(this.latency).then(() => {
      this.inFlight -= 1;
      this.pace.succeeded(call);
      this.limits.push({ at: this.now, limit: this.pace.concurrency });
      return true;
    });
  }

  private after(ticks: number): Promise<void> {
    this.seq += 1;
    const seq = this.seq;
    return new Promise((resolve) => this.timers.push({ at: this.now + ticks, seq, fire: resolve }));
  }

  private next(): Timer | undefined {
    if (this.timers.length === 0) return undefined;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return this.timers.shift();
  }
}

/** Starts `count` calls through the pace that stay in flight until answered by hand. */
async function callsInFlight(pace: Pace, count: number) {
  const calls: Array<{ paced: PacedCall; answer(): void }> = [];
  for (let i = 0; i < count; i += 1) {
    void pace.run(
      (paced) =>
        new Promise<void>((resolve) => {
          calls.push({ paced, answer: resolve });
        }),
    );
  }
  await settle();
  return calls;
}

describe('Class: Pace', () => {
  describe('sharing the portal with other integrations', () => {
    it('finds the free slots and keeps to them, with under 2% of calls turned away', async () => {
      // Prepare: a Professional portal (15 at once), 5 held by others
      const portal = new FakePortal(new Pace(15), 15, 5);

      // Act
      await portal.pages(1_500);

      // Assess: 1,500 pages at 10 ticks each over 10 free slots take at least 1,500 ticks
      expect(portal.rejected / portal.calls).toBeLessThan(0.02);
      expect(portal.now / ((1_500 * 10) / 10)).toBeLessThan(1.1);
      const settled = portal.limits.filter((l) => l.at >= 100).map((l) => l.limit);
      expect(new Set(settled)).toStrictEqual(new Set([10, 11]));
      // 11 only for a probe: a handful of answers in all
      expect(settled.filter((limit) => limit === 11).length).toBeLessThan(settled.length / 50);
    });

    it('probes above the learned limit ever more rarely: one 429 per 64 rounds once settled', async () => {
      // Prepare
      const portal = new FakePortal(new Pace(15), 15, 5);
      await portal.pages(2_000);
      const before = { calls: portal.calls, rejected: portal.rejected };

      // Act: 6,400 pages more, 64 rounds of 10 calls 10 times over
      await portal.pages(6_400);

      // Assess
      expect(portal.rejected - before.rejected).toBeLessThanOrEqual(11);
      expect(portal.calls - before.calls).toBe(6_400 + portal.rejected - before.rejected);
    });

    it('follows the others down when they take more slots, a 429 per slot lost', async () => {
      // Prepare
      const portal = new FakePortal(new Pace(15), 15, 5);
      await portal.pages(500);
      const before = { rejected: portal.rejected, now: portal.now };

      // Act: the others hold 8 calls now
      portal.others = 8;
      await portal.pages(500);

      // Assess: 7 left, and 8 only for a probe
      const after = portal.limits.filter((l) => l.at >= before.now + 50).map((l) => l.limit);
      expect(new Set(after)).toStrictEqual(new Set([7, 8]));
      expect(portal.rejected - before.rejected).toBeLessThanOrEqual(10);
    });

    it('climbs back to the ceiling within a bounded number of calls when the others stop', async () => {
      // Prepare: long enough at 10 for the probes to be 64 rounds apart
      const portal = new FakePortal(new Pace(15), 15, 5);
      await portal.pages(2_000);
      expect(portal.pace.concurrency).toBeLessThanOrEqual(11);

      // Act
      portal.others = 0;
      const answersBefore = portal.limits.length;
      await portal.pages(2_000);

      // Assess: the next probe within 64 rounds of 10, then two rounds at each level on the way up (one to confirm it)
      const answersToCeiling = portal.limits.slice(answersBefore).findIndex((l) => l.limit === 15);
      expect(answersToCeiling).toBeGreaterThan(0);
      expect(answersToCeiling).toBeLessThanOrEqual(64 * 10 + 2 * (11 + 12 + 13 + 14) + 10);
      expect(portal.pace.concurrency).toBe(15);
    });

    it('never goes above the ceiling, nor below one call', async () => {
      // Prepare: others hold all but one slot
      const portal = new FakePortal(new Pace(15), 15, 14);

      // Act
      await portal.pages(300);
      portal.others = 0;
      await portal.pages(3_000);

      // Assess
      const limits = portal.limits.map((l) => l.limit);
      expect(Math.min(...limits)).toBe(1);
      expect(Math.max(...limits)).toBe(15);
      expect(portal.pace.concurrency).toBe(15);
    });
  });

  describe('one congestion event, one decrease', () => {
    it('lowers to the calls still in flight when the 429 comes', async () => {
      // Prepare
      const pace = new Pace(15);
      const calls = await callsInFlight(pace, 15);

      // Act
      pace.slowDown(calls[10]!.paced);

      // Assess
      expect(calls.map((c) => c.paced.inFlight)).toStrictEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      expect(pace.concurrency).toBe(14);
    });

    it('takes each call of the same crowd out of the count as its 429 comes, in any order, and reacts no more', async () => {
      // Prepare: 15 out at once, 5 of them turned away (not the last 5: answers overtake one another)
      const pace = new Pace(15);
      const calls = await callsInFlight(pace, 15);
      const turnedAway = [14, 3, 11, 7, 12];

      // Act
      const limits = turnedAway.map((i) => {
        pace.slowDown(calls[i]!.paced);
        return pace.concurrency;
      });
      for (const call of calls) call.answer();
      await settle();
      for (const [i, call] of calls.entries()) if (!turnedAway.includes(i)) pace.succeeded(call.paced);
      const afterCrowd = pace.concurrency;
      // rounds at 10: batches of 10, each with one call out while the other 9 slots were taken
      let batches = 0;
      while (pace.concurrency === 10) {
        const full = await callsInFlight(pace, 10);
        for (const call of full) call.answer();
        await settle();
        for (const call of full) pace.succeeded(call.paced);
        batches += 1;
      }

      // Assess: the ten Zoho held; one event, so the first probe after one round, not a doubled wait
      expect(limits).toStrictEqual([14, 13, 12, 11, 10]);
      expect(afterCrowd).toBe(10);
      expect(batches).toBe(10);
      expect(pace.concurrency).toBe(11);
    });

    it('lowers again for a call that went out after it lowered and was still one too many', async () => {
      // Prepare
      const pace = new Pace(15);
      const calls = await callsInFlight(pace, 15);
      pace.slowDown(calls[12]!.paced);
      for (const call of calls.slice(9)) call.answer();
      await settle();

      // Act: at 9 in flight, a tenth goes out and is turned away
      const [late] = await callsInFlight(pace, 1);
      pace.slowDown(late!.paced);

      // Assess
      expect(late!.paced.inFlight).toBe(9);
      expect(pace.concurrency).toBe(9);
    });

    it('keeps at least one call even when none of its own were in flight', async () => {
      // Prepare
      const pace = new Pace(15);
      const [only] = await callsInFlight(pace, 1);

      // Act
      pace.slowDown(only!.paced);

      // Assess
      expect(only!.paced.inFlight).toBe(0);
      expect(pace.concurrency).toBe(1);
    });
  });

  describe('probing', () => {
    it('allows one call more after a round at the limit, and only when the limit is in use', async () => {
      // Prepare: learned 4
      const pace = new Pace(8);
      const crowd = await callsInFlight(pace, 5);
      pace.slowDown(crowd[4]!.paced);
      for (const call of crowd) call.answer();
      await settle();

      // Act: calls one at a time (the limit not in use), then four at once, four times
      for (let i = 0; i < 8; i += 1) {
        const [alone] = await callsInFlight(pace, 1);
        alone!.answer();
        await settle();
        pace.succeeded(alone!.paced);
      }
      const idle = pace.concurrency;
      for (let round = 0; round < 4; round += 1) {
        const full = await callsInFlight(pace, 4);
        for (const call of full) call.answer();
        await settle();
        for (const call of full) pace.succeeded(call.paced);
      }

      // Assess: only a call that went out with the 3 other slots taken counts, one of each 4; a round is 4 of them
      expect(idle).toBe(4);
      expect(pace.concurrency).toBe(5);
    });

    it('counts a probe as through after a whole round at the raised limit, and probes again a round later', async () => {
      // Prepare: learned 4
      const pace = new Pace(8);
      const crowd = await callsInFlight(pace, 5);
      pace.slowDown(crowd[4]!.paced);
      for (const call of crowd) call.answer();
      await settle();
      const limits: number[] = [];

      // Act: batches that fill the limit, each giving one success that went out with every other slot taken
      for (const batches of [4, 4, 1, 5]) {
        for (let i = 0; i < batches; i += 1) {
          const full = await callsInFlight(pace, pace.concurrency);
          for (const call of full) call.answer();
          await settle();
          for (const call of full) pace.succeeded(call.paced);
        }
        limits.push(pace.concurrency);
      }

      // Assess: the probe to 5; 4 of 5 is not yet a round there; the fifth confirms it; a round later, 6
      expect(limits).toStrictEqual([5, 5, 5, 6]);
    });

    it('doubles the wait after a probe is turned away, up to the longest', async () => {
      // Prepare
      const pace = new Pace(3, { firstProbeRounds: 1, maxProbeRounds: 4 });
      const crowd = await callsInFlight(pace, 3);
      pace.slowDown(crowd[2]!.paced);
      for (const call of crowd) call.answer();
      await settle();
      const waits: number[] = [];

      // Act: two slots free; count the full-window successes before each probe, and turn every probe away
      for (let probe = 0; probe < 5; probe += 1) {
        let successes = 0;
        while (pace.concurrency === 2) {
          const pair = await callsInFlight(pace, 2);
          for (const call of pair) call.answer();
          await settle();
          pace.succeeded(pair[1]!.paced);
          successes += 1;
        }
        waits.push(successes);
        const trio = await callsInFlight(pace, 3);
        pace.slowDown(trio[2]!.paced);
        for (const call of trio) call.answer();
        await settle();
      }

      // Assess: 1, 2, 4, 4, 4 rounds of 2
      expect(waits).toStrictEqual([2, 4, 8, 8, 8]);
    });
  });

  describe('setCeiling and options', () => {
    it('starts again at a new ceiling, forgetting what it learned', async () => {
      // Prepare
      const pace = new Pace(Number.POSITIVE_INFINITY);
      const crowd = await callsInFlight(pace, 6);
      pace.slowDown(crowd[5]!.paced);

      // Act
      pace.setCeiling(15);
      pace.slowDown(crowd[4]!.paced);

      // Assess: the 429 of a call from before the new ceiling does not count against it
      expect(pace.concurrency).toBe(15);
    });

    it('rejects probe waits that are not whole numbers from 1, the longest no shorter than the first', () => {
      expect(() => new Pace(5, { firstProbeRounds: 0 })).toThrow(
        new RangeError('firstProbeRounds must be a whole number from 1, and maxProbeRounds one no smaller.'),
      );
      expect(() => new Pace(5, { firstProbeRounds: 4, maxProbeRounds: 2 })).toThrow(RangeError);
    });
  });
});
