import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** Seeded randomness for the simulator: the same seed gives the same portal, byte for byte. */
export class Random {
  private readonly rng: RandomGenerator;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }

  /** A generator for one sub-stream (one ticket's threads, say), independent of call order elsewhere. */
  static derive(seed: number, ...parts: number[]): Random {
    let hash = seed | 0;
    for (const part of parts) hash = Math.imul(hash ^ (part | 0), 0x9e3779b1) ^ (hash >>> 15);
    return new Random(hash);
  }

  /** integer in [min, max] */
  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }

  /** float in [0, 1) */
  float(): number {
    return uniformInt(this.rng, 0, 0x7fffffff) / 0x80000000;
  }

  chance(probability: number): boolean {
    return probability > 0 && this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** pick with weights, e.g. statuses that are mostly Closed */
  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.float() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (choices[choices.length - 1] as readonly [T, number])[0];
  }
}
