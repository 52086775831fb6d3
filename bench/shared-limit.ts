import pLimit from 'p-limit';
import { PAGES_PER_CALL } from '../lib/cli/local-pipeline.js';
import { newRunId } from '../lib/pipeline/keys.js';
import { drain } from '../lib/pipeline/local-runner.js';
import { finalizeRun } from '../lib/pipeline/manifest.js';
import { planRun } from '../lib/pipeline/planner.js';
import type { SimulatorStats } from '../lib/simulator/simulator.js';
import { EDITION_LIMITS } from '../lib/zoho/editions.js';
import type { PacedCall } from '../lib/zoho/pace.js';
import { bench } from './setup.js';

export interface SharedLimitResult {
  pages: number;
  /** the edition's concurrent calls, and the client's ceiling */
  edition: number;
  /** the calls other integrations keep in flight */
  others: number;
  /** what is left for this client: edition − others */
  free: number;
  latencyMs: number;
  wallMs: number;
  /** P·L/C_free: the pages at the free slots, every slot busy */
  limitMs: number;
  ratio: number;
  /** Desk calls while the pages were read, 429s included */
  calls: number;
  tooManyRequests: number;
  share: number;
  /** the most of this client's calls Zoho held at once */
  maxInFlight: number;
}

/**
 * The rule before issue 13, for comparison: halve on TOO_MANY_REQUESTS, one call more after as many successes
 * as calls allowed (AIMD). Put in the client's place by the benchmark only.
 */
class HalvingPace {
  private readonly limiter;
  private successes = 0;

  constructor(private readonly ceiling: number) {
    this.limiter = pLimit(ceiling);
  }

  run<T>(call: (paced: PacedCall) => Promise<T>): Promise<T> {
    return this.limiter(() => call({ inFlight: this.limiter.activeCount - 1, event: 0 }));
  }

  slowDown(): void {
    this.limiter.concurrency = Math.max(1, Math.floor(this.limiter.concurrency / 2));
    this.successes = 0;
  }

  succeeded(): void {
    if (this.limiter.concurrency >= this.ceiling) return;
    this.successes += 1;
    if (this.successes >= this.limiter.concurrency) {
      this.limiter.concurrency = Math.min(this.ceiling, this.limiter.concurrency + 1);
      this.successes = 0;
    }
  }
}

/**
 * Figure 10: a Professional portal (15 concurrent calls) whose other integrations keep 5 calls in flight. The
 * client starts at the edition's 15, is told TOO_MANY_REQUESTS, and has to find the 10 free slots and keep to
 * them. P pages with latency L take at least P·L/C_free; how close it comes, and what share of its calls
 * Zoho turned away.
 */
export async function sharedLimit(pages = 1_500, others = 5, latencyMs = 100, rule: 'adaptive' | 'halving' = 'adaptive'): Promise<SharedLimitResult> {
  const edition = EDITION_LIMITS.PROFESSIONAL.concurrency;
  const setup = await bench({ tickets: pages, seed: 7, latencyMs, edition: 'professional' });
  try {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${setup.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`the simulator refused ${path}: ${res.status} ${await res.text()}`);
    };
    await post('/_sim/faults', { otherIntegrationCalls: others });
    const pipeline = await setup.pipeline();
    if (rule === 'halving') Object.assign((await pipeline.deps.zoho(undefined)).desk, { pace: new HalvingPace(edition) });
    const runId = newRunId(setup.context.clock!.now());
    await planRun({ runId, targets: [{ report: 'threads', params: {} }], trigger: 'cli' }, pipeline.deps);
    await post('/_sim/reset-stats', {});
    const started = performance.now();
    await drain(pipeline.queue, pipeline.deps, { concurrency: edition * PAGES_PER_CALL });
    const wallMs = performance.now() - started;
    const stats: SimulatorStats = await setup.stats();
    const manifests = await finalizeRun(pipeline.store, runId);
    await pipeline.close();
    const written = manifests.reduce((sum, m) => sum + m.pages.written, 0);
    const free = edition - others;
    const limitMs = (written * latencyMs) / free;
    return {
      pages: written,
      edition,
      others,
      free,
      latencyMs,
      wallMs,
      limitMs,
      ratio: wallMs / limitMs,
      calls: stats.deskCalls,
      tooManyRequests: stats.concurrencyRejections,
      share: stats.concurrencyRejections / stats.deskCalls,
      maxInFlight: stats.maxConcurrency,
    };
  } finally {
    await setup.close();
  }
}
