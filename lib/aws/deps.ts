import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { S3ObjectStore } from '../adapters/aws/s3-store.js';
import { SecretsManagerStore } from '../adapters/aws/secrets-manager-store.js';
import { PortalWorkQueues } from '../adapters/aws/portal-work-queues.js';
import { SqsWorkQueue } from '../adapters/aws/sqs-queue.js';
import { systemClock } from '../clock.js';
import { zohoConnections } from '../pipeline/connections.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import { deadlineAt, NO_DEADLINE } from '../pipeline/plan-checkpoint.js';
import type { Clock, HttpClient, Logger } from '../ports.js';
import { applyCreditReserve } from '../zoho/credit-reserve.js';
import type { CallBudget } from '../zoho/call-budget.js';
import type { RetryPolicy } from '../zoho/desk-client.js';
import { awsClientConfig } from './client-config.js';
import { portalQueuesOf, type AwsConfig } from './config.js';

export interface AwsClients {
  sqs: SQSClient;
  s3: S3Client;
  secrets: SecretsManagerClient;
}

/**
 * The SDK clients, from the Lambda's own region and role. AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_SQS / _S3 /
 * _SECRETS_MANAGER) points them at an emulator: see awsClientConfig.
 */
export function createAwsClients(env: Record<string, string | undefined> = process.env): AwsClients {
  return {
    sqs: new SQSClient(awsClientConfig('SQS', env)),
    s3: new S3Client(awsClientConfig('S3', env)),
    secrets: new SecretsManagerClient(awsClientConfig('SECRETS_MANAGER', env)),
  };
}

/**
 * How long before the invocation's end (less its finishing time) a part of a planning stops starting new work:
 * enough for the units in hand (a page of changed tickets per window and the pages it plans), queueing what
 * they found, the checkpoint and the next part's message.
 */
export const PLAN_MARGIN_MS = 20_000;

export interface AwsDepsOptions {
  logger: Logger;
  env: Record<string, string | undefined>;
  clock?: Clock;
  http?: HttpClient;
  /** the Zoho client's own quick retries */
  retry?: RetryPolicy;
}

/**
 * The pipeline's ports on AWS: S3 for the bucket, SQS for the queues, Secrets Manager for each portal's
 * secret. Built once per Lambda instance, at cold start.
 */
export function createAwsDeps(config: AwsConfig, clients: AwsClients, options: AwsDepsOptions): PipelineDeps {
  const clock = options.clock ?? systemClock;
  // The consumer sets the end of each invocation here; every Zoho call fits in what is left of it.
  const invocation: { end: number | undefined } = { end: undefined };
  const budget: CallBudget = { remainingMs: () => (invocation.end === undefined ? Number.POSITIVE_INFINITY : invocation.end - clock.now()) };
  return {
    invocation,
    store: new S3ObjectStore(clients.s3, config.REPORTS_BUCKET),
    // Each page to its portal's own queue, if it has one (PORTAL_QUEUES), else to the work queue.
    queue: new PortalWorkQueues(
      new SqsWorkQueue(clients.sqs, config.WORK_QUEUE_URL, config.DEAD_LETTER_QUEUE_URL),
      new Map([...portalQueuesOf(config)].map(([secretId, url]) => [secretId, new SqsWorkQueue(clients.sqs, url, config.DEAD_LETTER_QUEUE_URL)])),
      (url) => new SqsWorkQueue(clients.sqs, url, config.DEAD_LETTER_QUEUE_URL),
    ),
    clock,
    logger: options.logger,
    zoho: zohoConnections({
      env: options.env,
      storeFor: (secretId) => new SecretsManagerStore(clients.secrets, secretId ?? config.ZOHO_SECRET_ID),
      maxConcurrency: config.CALLS_PER_INSTANCE,
      // A token mint and a page call each fit well inside the consumer's 60 s, and its 30 s start reserve.
      timeoutMs: 20_000,
      budget,
      clock,
      logger: options.logger,
      tokens: {
        // Many consumers share one secret: refresh at a random point of the last ten minutes, and when a
        // grant code is rejected, wait for the consumer that used it to store its refresh token.
        refreshJitterMs: 10 * 60_000,
        codeRaceWaitMs: 15_000,
      },
      ...(options.http && { http: options.http }),
      ...(options.retry && { retry: options.retry }),
      prepare: async ({ desk }) => {
        await applyCreditReserve(desk, config.CREDIT_RESERVE);
      },
    }),
    secretPrefix: config.SECRET_PREFIX,
    maxReceiveCount: config.MAX_RECEIVE_COUNT,
    reconcileMs: Math.round(config.ZOHO_RECONCILE_HOURS * 3_600_000),
    // Planning stops before the invocation ends and goes on in another (its plan message), as often as needed.
    planningDeadline: () => (invocation.end === undefined ? NO_DEADLINE : deadlineAt(clock, invocation.end - PLAN_MARGIN_MS)),
    ...(config.PLAN_QUEUE_URL && { planQueue: new SqsWorkQueue(clients.sqs, config.PLAN_QUEUE_URL, config.DEAD_LETTER_QUEUE_URL) }),
  };
}
