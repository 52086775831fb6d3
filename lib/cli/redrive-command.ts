import { bodyOfPortal } from '../pipeline/messages.js';
import type { CliContext } from './context.js';
import { openLocalPipeline, type LocalOptions } from './local-pipeline.js';
import { RunProgress } from './progress.js';
import { printQuarantined } from './quarantine.js';
import { compactAfter, processAndReport } from './run-command.js';
import { EXIT_CODES } from './output.js';

/**
 * `redrive` (local): moves every dead-lettered message back to the queue — or, with `portal` (an org id or a
 * secretId), that portal's alone — and processes it again.
 */
export async function redrive(options: LocalOptions & { portal?: string }, context: CliContext): Promise<number> {
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
    const { portal } = options;
    const secretIdOf = (id: string) => (/^\d+$/.test(id) ? undefined : id);
    if (portal && secretIdOf(portal)) await pipeline.connectPortal(portal);
    const moved = await pipeline.queue.redrive(portal ? (body) => bodyOfPortal(body, portal) : undefined);
    if (portal && moved === 0) {
      context.out.line(`No dead-lettered message of portal ${portal} (give its org id, or the secretId its pages name): nothing to redrive.`);
      return 0;
    }
    context.out.line(`Redriving ${moved} dead-lettered message(s)${portal ? ` of portal ${portal}` : ''}.`);
    const code = await processAndReport(pipeline, progress, context);
    // Redriven pages land in the runs they were planned in, which a generation may already cover.
    if (code !== EXIT_CODES.interrupted) await compactAfter(pipeline, context, true);
    return code;
  } finally {
    progress.stop();
    await pipeline.close();
  }
}
