// A process of its own that plans a run of every report into a local queue and exits: the scheduler's work
// (discovery and planning), measured apart from reading the pages. Prints {pages, ms} as JSON.
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { newRunId } from '../lib/pipeline/keys.js';
import { planRun } from '../lib/pipeline/planner.js';
import { REPORTS } from '../lib/reports/catalog.js';
import { quiet } from './setup.js';

const started = performance.now();
const pipeline = await openLocalPipeline({ out: process.env.BENCH_OUT ?? 'reports', reserve: '0' }, { env: process.env, out: quiet });
try {
  await pipeline.connectPortal();
  const targets = REPORTS.map((report) => ({ report: report.id, params: {} }));
  const plan = await planRun({ runId: newRunId(Date.now()), targets, trigger: 'cli' }, pipeline.deps);
  const pages = Object.values(plan.planned).reduce((a, b) => a + b, 0);
  process.stdout.write(JSON.stringify({ pages, ms: performance.now() - started }));
} finally {
  await pipeline.close();
}
