import { PAGES_PER_CALL } from '../lib/cli/local-pipeline.js';
import { newRunId } from '../lib/pipeline/keys.js';
import { drain } from '../lib/pipeline/local-runner.js';
import { finalizeRun } from '../lib/pipeline/manifest.js';
import { planRun } from '../lib/pipeline/planner.js';
import { bench } from './setup.js';

export interface ThroughputResult {
  pages: number;
  concurrency: number;
  latencyMs: number;
  wallMs: number;
  limitMs: number;
  ratio: number;
  sequentialMsPerPage: number;
  speedUp: number;
  /** writing the run's manifests afterwards, from its receipts */
  manifestsMs: number;
}

/**
 * Times the pages of one report (threads: one page per ticket) through the local pipeline: queue, fetch,
 * store, receipt. Planning comes before and the manifests after; both are timed apart.
 */
async function timePages(tickets: number, concurrency: number, latencyMs: number): Promise<{ pages: number; wallMs: number; manifestsMs: number }> {
  const setup = await bench({ tickets, seed: 7, latencyMs });
  try {
    const pipeline = await setup.pipeline({ concurrency });
    const runId = newRunId(setup.context.clock!.now());
    await planRun({ runId, targets: [{ report: 'threads', params: {} }], trigger: 'cli' }, pipeline.deps);
    const started = performance.now();
    await drain(pipeline.queue, pipeline.deps, { concurrency: concurrency * PAGES_PER_CALL });
    const wallMs = performance.now() - started;
    const manifests = await finalizeRun(pipeline.store, runId);
    const manifestsMs = performance.now() - started - wallMs;
    await pipeline.close();
    return { pages: manifests.reduce((sum, m) => sum + m.pages.written, 0), wallMs, manifestsMs };
  } finally {
    await setup.close();
  }
}

/**
 * Figure 1: P pages at concurrency C with per-call latency L take at least P·L/C; how close the pipeline
 * comes, and how much faster than one call at a time (measured on a tenth of the pages, same process).
 */
export async function throughput(pages = 2_000, concurrency = 10, latencyMs = 50): Promise<ThroughputResult> {
  const concurrent = await timePages(pages, concurrency, latencyMs);
  const sample = Math.max(50, Math.floor(pages / 10));
  const sequential = await timePages(sample, 1, latencyMs);
  const limitMs = (concurrent.pages * latencyMs) / concurrency;
  const sequentialMsPerPage = sequential.wallMs / sequential.pages;
  return {
    pages: concurrent.pages,
    concurrency,
    latencyMs,
    wallMs: concurrent.wallMs,
    limitMs,
    ratio: concurrent.wallMs / limitMs,
    sequentialMsPerPage,
    speedUp: (sequentialMsPerPage * concurrent.pages) / concurrent.wallMs,
    manifestsMs: concurrent.manifestsMs,
  };
}
