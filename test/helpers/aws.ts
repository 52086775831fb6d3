import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { startFauxqs } from 'fauxqs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import { FileSecretStore } from '../../lib/adapters/file-secret-store.js';
import { loadAwsConfig, type AwsConfig } from '../../lib/aws/config.js';
import { createAwsDeps, type AwsClients } from '../../lib/aws/deps.js';
import type { PipelineDeps } from '../../lib/pipeline/deps.js';
import { silentLogger, type Clock, type HttpClient } from '../../lib/ports.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from './secrets-manager-standin.js';
import type { Fixture } from './zoho.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const BUCKET = 'zoho-reports-000000000000';

export interface AwsFixture {
  endpoint: string;
  secretsManager: SecretsManagerStandIn;
  clients: AwsClients;
  config: AwsConfig;
  /** what serverless.yml would give the Lambdas, pointed at the emulators */
  lambdaEnv: Record<string, string>;
  /** the ports of one Lambda instance (each call: a new instance with its own token cache) */
  deps(options?: { clock?: Clock; http?: HttpClient }): PipelineDeps;
  /** each further portal's own work queue (awsFixture's `portalQueues`): secretId → URL and ARN */
  portalQueues: Map<string, { url: string; arn: string }>;
  /** takes every visible message off a queue (without deleting it) */
  drainQueue(url: string, attributes?: boolean): Promise<Message[]>;
  close(): Promise<void>;
}

/**
 * fauxqs 1.9.2 (real SQS and S3 protocols) and the Secrets Manager stand-in, started here, with the queues,
 * redrive policy and bucket of serverless.yml, and the simulator's secret as `zoho_auth`.
 */
export async function awsFixture(zoho: Fixture, options: { visibilityTimeout?: number; portalQueues?: boolean } = {}): Promise<AwsFixture> {
  const fauxqs = await startFauxqs({ port: 0, logger: false });
  const dead = fauxqs.createQueue('zoho-desk-reports-test-dead-letter', { attributes: { MessageRetentionPeriod: '1209600' } });
  const work = fauxqs.createQueue('zoho-desk-reports-test-work', {
    attributes: {
      VisibilityTimeout: String(options.visibilityTimeout ?? 360),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dead.queueArn, maxReceiveCount: 5 }),
    },
  });
  const plan = fauxqs.createQueue('zoho-desk-reports-test-plan', {
    attributes: { VisibilityTimeout: '600', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dead.queueArn, maxReceiveCount: 5 }) },
  });
  // With `portalQueues`, a work queue per further portal, as serverless.yml makes them (deploy/portals.cjs).
  const portalQueues = new Map(
    (options.portalQueues ? zoho.portalSecrets : []).map((id) => {
      const queue = fauxqs.createQueue(`zoho-desk-reports-test-work-${id}`, {
        attributes: { VisibilityTimeout: '360', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dead.queueArn, maxReceiveCount: 5 }) },
      });
      return [id, { url: queue.queueUrl, arn: queue.queueArn }] as const;
    }),
  );
  fauxqs.createBucket(BUCKET);
  // The further portals' secrets under their secretIds, as an operator stores them (zoho_auth_<org id> here).
  const portals = await Promise.all(
    zoho.portalSecrets.map(async (id) => [id, await new FileSecretStore(join(zoho.dir, `${id}.json`)).read()] as const),
  );
  const secretsManager = await startSecretsManagerStandIn({ zoho_auth: await zoho.store.read(), ...Object.fromEntries(portals) });
  const clients: AwsClients = {
    sqs: new SQSClient({ endpoint: fauxqs.address, region: REGION, credentials: CREDENTIALS }),
    s3: new S3Client({ endpoint: fauxqs.address, region: REGION, credentials: CREDENTIALS, forcePathStyle: true }),
    secrets: new SecretsManagerClient({ endpoint: secretsManager.endpoint, region: REGION, credentials: CREDENTIALS }),
  };
  const lambdaEnv = {
    WORK_QUEUE_URL: work.queueUrl,
    DEAD_LETTER_QUEUE_URL: dead.queueUrl,
    PLAN_QUEUE_URL: plan.queueUrl,
    REPORTS_BUCKET: BUCKET,
    ...(portalQueues.size > 0 && { PORTAL_QUEUES: [...portalQueues].map(([id, queue]) => `${id}=${queue.url}`).join(',') }),
  };
  const config = loadAwsConfig(lambdaEnv);
  return {
    endpoint: fauxqs.address,
    secretsManager,
    clients,
    config,
    lambdaEnv: {
      ...lambdaEnv,
      ...zoho.env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: fauxqs.address,
      AWS_ENDPOINT_URL_S3: fauxqs.address,
      AWS_S3_FORCE_PATH_STYLE: 'true',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    },
    deps: (depsOptions = {}) =>
      createAwsDeps(config, clients, { logger: silentLogger, env: zoho.env, retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 }, ...depsOptions }),
    portalQueues,
    drainQueue: (url, attributes = true) => receiveAll(clients.sqs, url, attributes),
    close: async () => {
      await secretsManager.stop();
      await fauxqs.stop();
    },
  };
}

/**
 * A STUB CloudFormation client: no CloudFormation emulator runs beside fauxqs. It answers DescribeStacks with the
 * outputs serverless.yml declares, pointing at the fixture's queues and bucket.
 */
export function stubCloudFormation(fixture: AwsFixture, stage = 'test'): CloudFormationClient {
  return {
    send: async (command: { input: { StackName?: string } }) => {
      if (command.input.StackName !== `zoho-desk-reports-${stage}`) throw new Error(`Stack with id ${command.input.StackName} does not exist`);
      const outputs = {
        WorkQueueUrl: fixture.config.WORK_QUEUE_URL,
        WorkQueueArn: 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-work',
        DeadLetterQueueUrl: fixture.config.DEAD_LETTER_QUEUE_URL,
        ...(fixture.config.PLAN_QUEUE_URL && { PlanQueueUrl: fixture.config.PLAN_QUEUE_URL }),
        DeadLetterQueueArn: 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-dead-letter',
        ReportsBucketName: fixture.config.REPORTS_BUCKET,
        SecretPrefix: 'zoho_auth',
        ...(fixture.portalQueues.size > 0 && { PortalQueueUrls: fixture.config.PORTAL_QUEUES }),
      };
      return { Stacks: [{ Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
    },
  } as unknown as CloudFormationClient;
}

/** Takes every visible message off a queue (without deleting it), ten at a time, until none is visible. */
export async function receiveAll(sqs: SQSClient, queueUrl: string, attributes = true): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        ...(attributes && { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
      }),
    );
    if (!batch.Messages?.length) return messages;
    messages.push(...batch.Messages);
  }
}

/** A consumer Lambda handler: `buildConsumer(…)` or the deployed `handlers/consumer.ts`. */
export type ConsumerHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface FeedOptions {
  /** the queue's ARN, as the event source names it in each record */
  queueArn?: string;
  /**
   * Deletes what the handler did not report failed, as Lambda does. Without it, handled messages stay in flight
   * until their visibility timeout (longer than any test) and only released ones come back.
   */
  deleteHandled?: boolean;
  /** rounds at most (default 50): feeding ends there even if the queue is not empty, and the test's checks say what is left */
  maxRounds?: number;
  /** what each invocation's context says is left of it (default 60 s) */
  remainingMs?: number;
}

/**
 * The SQS event source, by hand: every visible message of the queue to the consumer handler in batches of ten,
 * round after round, until a round finds the queue empty. Says what each round received, and the batch item
 * failures the handler reported.
 */
export async function feedConsumer(
  sqs: SQSClient,
  queueUrl: string,
  handler: ConsumerHandler,
  options: FeedOptions = {},
): Promise<{ rounds: Message[][]; failures: SQSBatchItemFailure[] }> {
  const rounds: Message[][] = [];
  const failures: SQSBatchItemFailure[] = [];
  while (rounds.length < (options.maxRounds ?? 50)) {
    const messages = await receiveAll(sqs, queueUrl);
    if (messages.length === 0) break;
    rounds.push(messages);
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const response = (await handler(sqsEvent(batch, options.queueArn), lambdaContext(options.remainingMs))) as SQSBatchResponse;
      failures.push(...response.batchItemFailures);
      if (!options.deleteHandled) continue;
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      const done = batch.filter((m) => !failed.has(m.MessageId ?? ''));
      if (done.length === 0) continue;
      const deleted = await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle })) }),
      );
      expect(deleted.Failed ?? []).toEqual([]);
    }
  }
  return { rounds, failures };
}

/**
 * An SQS event source mapping with a maximum concurrency, by hand: one consumer instance per slot (`instances`,
 * each built with its own ports, as Lambda runs them), each taking up to ten messages, invoking its handler and
 * deleting what it did not report failed, until the queue is empty and no instance is busy (an instance still at
 * work may chain further pages). Says which bodies each queue's instances were given, and the failures.
 */
export async function runEventSource(
  sqs: SQSClient,
  queue: { url: string; arn: string },
  instances: ConsumerHandler[],
): Promise<{ bodies: string[]; failures: SQSBatchItemFailure[] }> {
  const bodies: string[] = [];
  const failures: SQSBatchItemFailure[] = [];
  let busy = 0;
  const instance = async (handler: ConsumerHandler) => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }),
      );
      if (Messages.length === 0) {
        if (busy === 0) return;
        await delay(10);
        continue;
      }
      busy += 1;
      try {
        bodies.push(...Messages.map((m) => m.Body ?? ''));
        const response = (await handler(sqsEvent(Messages, queue.arn), lambdaContext())) as SQSBatchResponse;
        failures.push(...response.batchItemFailures);
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length > 0) {
          await sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: queue.url, Entries: done.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle })) }),
          );
        }
      } finally {
        busy -= 1;
      }
    }
  };
  await Promise.all(instances.map(instance));
  return { bodies, failures };
}

/** The event Lambda's SQS event source would deliver for these received messages. */
export function sqsEvent(messages: Message[], queueArn = 'arn:aws:sqs:us-east-1:000000000000:zoho-desk-reports-test-work'): SQSEvent {
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
          SenderId: m.Attributes?.SenderId ?? '000000000000',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: REGION,
      }),
    ),
  };
}

/**
 * A Lambda context. This is a stub (a Lambda runtime cannot run here): the handlers read only the time left.
 */
export function lambdaContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'zoho-desk-reports-test-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:zoho-desk-reports-test-consumer',
    memoryLimitInMB: '512',
    awsRequestId: 'test-request',
    logGroupName: '/aws/lambda/zoho-desk-reports-test-consumer',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
