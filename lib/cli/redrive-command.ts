import type { CliContext } from './context.js';
import { openLocalPipeline, type LocalOptions } from './local-pipeline.js';
import { RunProgress } from './progress.js';
import { printQuarantined } from './quarantine.js';
import { processAndReport } from './run-command.js';

/** `redrive` (local): moves every dead-lettered message back to the queue and processes it again. */
export async function redrive(options: LocalOptions, context: CliContext): Promise<number> {
  const progress = new RunProgress(process.stderr.isTTY === true && !context.env.CI, Date.now, (text) => context.out.line(text));
  const pipeline = await openLocalPipeline(options, context, progress.onEvent);
  try {
    if ((await pipeline.queue.depths()).dead === 0) {
      printQuarantined(context.out, pipeline.store.root, pipeline.queue.quarantined);
      context.out.line('The dead-letter queue is empty: nothing to redrive.');
      return 0;
    }
    // The secret and the portal first: pages moved back and then refused would only be dead-lettered again.
    await pipeline.connectPortal();
    const moved = await pipeline.queue.redrive();
    context.out.line(`Redriving ${moved} dead-lettered message(s).`);
    return await processAndReport(pipeline, progress, context);
  } finally {
    progress.stop();
    await pipeline.close();
  }
}
