import { ConfigError, InvalidMessageError } from '../errors.js';
import { parseMessage, portalGroup } from '../pipeline/messages.js';
import type { CliContext } from './context.js';
import { openLocalPipeline, SECRET_PREFIX, type LocalOptions } from './local-pipeline.js';
import { RunProgress } from './progress.js';
import { printQuarantined } from './quarantine.js';
import { processAndReport, waitingMessages } from './run-command.js';
import { parseParamFlags } from '../reports/targets.js';

export interface EnqueueOptions extends LocalOptions {
  route?: string;
  param?: string[];
  secretId?: string;
  /** only queue it: the next `run` processes it */
  later?: boolean;
}

/** The on-demand message for `enqueue`, checked exactly as the consumer will check it. */
export function onDemandMessage(
  report: string | undefined,
  options: Pick<EnqueueOptions, 'route' | 'param' | 'secretId'>,
  secretPrefix: string,
): string {
  if ((report === undefined) === (options.route === undefined)) throw new ConfigError('Name a report, or give --route PATH (not both).');
  const body = JSON.stringify({
    ...(report !== undefined ? { report } : { route: options.route }),
    params: Object.fromEntries(parseParamFlags(options.param)),
    ...(options.secretId ? { secretId: options.secretId } : {}),
  });
  try {
    parseMessage(body, { secretPrefix });
  } catch (error) {
    if (error instanceof InvalidMessageError) throw new ConfigError(`The message was not queued: ${error.message}.`);
    throw error;
  }
  return body;
}

/**
 * `enqueue <report> | --route PATH` (local): puts an on-demand message on the local queue — checked exactly as
 * the consumer checks it — and processes it at once (with whatever was queued before it), like a message
 * pushed to SQS is picked up by the consumer. With --later it waits for the next `run`.
 */
export async function enqueue(report: string | undefined, options: EnqueueOptions, context: CliContext): Promise<number> {
  const body = onDemandMessage(report, options, SECRET_PREFIX);
  const queued = { body, ...portalGroup(options.secretId) };
  const progress = new RunProgress(process.stderr.isTTY === true && !context.env.CI, Date.now, (text) => context.out.line(text));
  const pipeline = await openLocalPipeline(options, context, progress.onEvent);
  try {
    if (options.later) {
      await pipeline.queue.send([queued]);
      printQuarantined(context.out, pipeline.store.root, pipeline.queue.quarantined);
      context.out.line('Queued: the next `zoho-desk-reports run` processes it.');
      return 0;
    }
    // The secret and the portal first: a message that cannot be processed now is not left behind in the queue.
    await pipeline.connectPortal();
    const earlier = await waitingMessages(pipeline);
    await pipeline.queue.send([queued]);
    context.out.line(`Queued and processing: ${body}`);
    if (earlier > 0) {
      context.out.line(`Also finishing ${earlier} message(s) queued before it (an interrupted run, \`enqueue --later\`): the table shows each run.`);
    }
    return await processAndReport(pipeline, progress, context);
  } finally {
    progress.stop();
    await pipeline.close();
  }
}
