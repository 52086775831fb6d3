import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './ports.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => (ms > 0 ? delay(ms) : Promise.resolve()),
};

/**
 * A clock whose time moves only when told to (`advance`, `set`), shared by the simulator and tests to
 * make "an hour later" happen at once. `sleep` advances the clock by the requested time and yields, so
 * code that waits for a window to pass does not hang a test.
 */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number | string = Date.now()) {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(time: number | string): void {
    this.current = typeof time === 'string' ? Date.parse(time) : time;
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.current += ms;
    await Promise.resolve();
  }
}

/**
 * Real time shifted by an offset that can be moved forward: the simulator's default clock, so latency
 * and timeouts stay real while tests can still jump an hour ahead.
 */
export class OffsetClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }

  set(time: number | string): void {
    const target = typeof time === 'string' ? Date.parse(time) : time;
    this.offset = target - Date.now();
  }

  sleep(ms: number): Promise<void> {
    return systemClock.sleep(ms);
  }
}
