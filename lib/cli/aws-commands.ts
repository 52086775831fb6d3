import { S3ObjectStore } from '../adapters/aws/s3-store.js';
import { SecretsManagerStore } from '../adapters/aws/secrets-manager-store.js';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createOperatorClients,
  findStack,
  firingAlarms,
  followRedrive,
  peekDeadLetters,
  queueDepth,
  startRedrive,
  type DeployedStack,
  type OperatorClients,
} from '../aws/operator.js';
import { RetryLaterError } from '../errors.js';
import { authInit, type AuthInitResult } from './auth-command.js';
import type { CliContext } from './context.js';
import { onDemandMessage, type EnqueueOptions } from './enqueue-command.js';
import { alarmsLine, printReasons, printRuns } from './status-command.js';
import { moveDeadLetters } from '../aws/dead-letter-move.js';
import { requestFullCompaction } from '../analytics/store-compaction.js';
import { bodyOfPortal, routingOfBody } from '../pipeline/messages.js';

/** The deployed stack an operator command works on: `--stage` (and `--region`). */
export interface StackOptions {
  stage: string;
  region?: string;
}

/** The test's clients, or real ones for --region and the command's environment (AWS_ENDPOINT_URL…). */
function operatorClients(region: string | undefined, context: CliContext): OperatorClients {
  return context.awsClients ? context.awsClients(region) : createOperatorClients(region, context.env);
}

async function connect(options: StackOptions, context: CliContext): Promise<{ clients: OperatorClients; stack: DeployedStack }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const clients = operatorClients(options.region, context);
  return { clients, stack: await findStack(clients.cfn, options.stage) };
}

/** `enqueue --stage S`: the on-demand message, checked as the consumer checks it, onto the deployed work queue. */
export async function awsEnqueue(report: string | undefined, options: EnqueueOptions & StackOptions, context: CliContext): Promise<number> {
  const { clients, stack } = await connect(options, context);
  const body = onDemandMessage(report, options, stack.secretPrefix);
  // A further portal's message on that portal's own queue, read within its own concurrency.
  const portalQueue = options.secretId === undefined ? undefined : stack.portalQueues.get(options.secretId);
  const sent = await clients.sqs.send(new SendMessageCommand({ QueueUrl: portalQueue ?? stack.workQueueUrl, MessageBody: body }));
  context.out.line(
    `Queued message ${sent.MessageId ?? ''} on ${stack.stackName}'s ${portalQueue ? `work queue of portal ${options.secretId}` : 'work queue'}: the consumer picks it up within seconds.`,
  );
  context.out.line(`\`zoho-desk-reports status --stage ${options.stage}\` shows the run it starts.`);
  return 0;
}

/**
 * `redrive --stage S`: SQS moves every dead-lettered page back to the work queue; progress until it is done.
 * With `portal` (an org id or a secretId), that portal's pages alone, moved by hand.
 */
export async function awsRedrive(
  options: StackOptions & { portal?: string },
  context: CliContext,
  pause: (ms: number) => Promise<unknown> = delay,
): Promise<number> {
  const { clients, stack } = await connect(options, context);
  const dead = await queueDepth(clients.sqs, stack.deadLetterQueueUrl);
  if (dead.visible + dead.inFlight === 0) {
    context.out.line('The dead-letter queue is empty: nothing to redrive.');
    return 0;
  }
  // A page goes back to the queue it failed from: its portal's own queue, if it has one; a part of a planning to the plan queue.
  const queueOf = (body: string) => {
    const { plan, secretId } = routingOfBody(body);
    return (plan ? stack.planQueueUrl : stack.portalQueues.get(secretId ?? '')) ?? stack.workQueueUrl;
  };
  const notSeenLine = (notSeen: number) =>
    notSeen > 0 ? ` ${notSeen} other(s) were in flight or not yet answered by SQS: run redrive again in a few minutes.` : '';
  // Pages redriven land in runs the compactor may have compacted already: its next pass reads every page.
  const compactInFull = () =>
    requestFullCompaction(new S3ObjectStore(clients.s3, stack.bucket), Date.now(), 'dead-lettered pages were redriven into their runs');
  const { portal } = options;
  if (portal) {
    const { moved, left, notSeen } = await moveDeadLetters(clients.sqs, stack, (body) => (bodyOfPortal(body, portal) ? queueOf(body) : undefined));
    if (moved > 0) await compactInFull();
    context.out.line(
      (moved === 0
        ? `No dead-lettered message of portal ${portal} (give its org id, or the secretId its pages name): nothing moved; ${left} other(s) stay.`
        : `Moved ${moved} dead-lettered message(s) of portal ${portal} back to its work queue; ${left} of other portals stay. The consumer fetches them again now.`) +
        notSeenLine(notSeen),
    );
    return notSeen > 0 ? 7 : 0;
  }
  if (stack.portalQueues.size > 0) {
    // SQS's move task sends every message to one queue; here each portal has its own.
    const { moved, notSeen } = await moveDeadLetters(clients.sqs, stack, queueOf);
    if (moved > 0) await compactInFull();
    context.out.line(
      `Moved ${moved} dead-lettered message(s) back to their portals' work queues. The consumer fetches them again now.${notSeenLine(notSeen)}`,
    );
    return notSeen > 0 ? 7 : 0;
  }
  await startRedrive(clients.sqs, stack);
  await compactInFull();
  context.out.line(`Moving ${dead.visible + dead.inFlight} dead-lettered message(s) back to the work queue…`);
  const final = await followRedrive(
    clients.sqs,
    stack,
    (p) => context.out.line(`  ${p.status}: ${p.moved}${p.toMove === undefined ? '' : `/${p.toMove}`} moved`),
    pause,
  );
  if (final.status !== 'COMPLETED') {
    throw new RetryLaterError(`The redrive ended ${final.status}${final.failure ? `: ${final.failure}` : ''}. Run it again.`);
  }
  context.out.line('Done: the consumer fetches them again now. `status` shows how the runs finish.');
  return 0;
}

/**
 * `status --stage S`: queue and dead-letter depths, why pages were dead-lettered, which alarms fire, and the last
 * runs' manifests.
 */
export async function awsStatus(options: StackOptions & { runs: number; portal?: string }, context: CliContext): Promise<void> {
  const { clients, stack } = await connect(options, context);
  const out = context.out;
  const work = await queueDepth(clients.sqs, stack.workQueueUrl);
  const dead = await queueDepth(clients.sqs, stack.deadLetterQueueUrl);
  out.line(`Work queue: ${work.visible} waiting, ${work.inFlight} being fetched, ${work.delayed} delayed.`);
  for (const [secretId, url] of stack.portalQueues) {
    if (options.portal && stack.portalQueues.has(options.portal) && options.portal !== secretId) continue;
    const depth = await queueDepth(clients.sqs, url);
    out.line(`Work queue of portal ${secretId}: ${depth.visible} waiting, ${depth.inFlight} being fetched, ${depth.delayed} delayed.`);
  }
  out.line(`Dead-letter queue: ${dead.visible + dead.inFlight} message(s).`);
  if (dead.visible > 0) {
    printReasons(
      out,
      (await peekDeadLetters(clients.sqs, stack.deadLetterQueueUrl)).map((d) => d.reason),
    );
    out.line(`  \`zoho-desk-reports redrive --stage ${options.stage}\` moves them back once the cause is fixed.`);
  }
  // Not knowing the alarms (no cloudwatch:DescribeAlarms, an emulator without CloudWatch) costs one line, not the rest.
  out.line(
    alarmsLine(
      await firingAlarms(clients.cloudwatch, options.stage).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    ),
  );
  await printRuns(out, new S3ObjectStore(clients.s3, stack.bucket), options.runs, options.portal);
}

/** `auth init --secret-id ID`: the same as locally, against the secret in Secrets Manager. */
export async function awsAuthInit(options: { secretId: string; region?: string; replace?: boolean }, context: CliContext): Promise<AuthInitResult> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const clients = operatorClients(options.region, context);
  return authInit({ ...(options.replace && { replace: true }) }, context, new SecretsManagerStore(clients.secrets, options.secretId));
}
