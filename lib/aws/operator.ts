import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { ConfigError } from '../errors.js';
import { awsClientConfig } from './client-config.js';
import { parsePortalQueues } from './config.js';
import { sqsRefusal } from './sqs-refusal.js';

/** The clients the operator commands use, with the operator's own credentials. */
export interface OperatorClients {
  cfn: CloudFormationClient;
  sqs: SQSClient;
  s3: S3Client;
  secrets: SecretsManagerClient;
  cloudwatch: CloudWatchClient;
}

/**
 * The operator's clients for `--region` (else the SDK's own chain), honouring AWS_ENDPOINT_URL[_<SERVICE>]
 * like the Lambdas' (see awsClientConfig).
 */
export function createOperatorClients(region: string | undefined, env: Record<string, string | undefined> = process.env): OperatorClients {
  return {
    cfn: new CloudFormationClient(awsClientConfig('CLOUDFORMATION', env, region)),
    sqs: new SQSClient(awsClientConfig('SQS', env, region)),
    s3: new S3Client(awsClientConfig('S3', env, region)),
    secrets: new SecretsManagerClient(awsClientConfig('SECRETS_MANAGER', env, region)),
    cloudwatch: new CloudWatchClient(awsClientConfig('CLOUDWATCH', env, region)),
  };
}

/** What the deployed stack publishes in its outputs (serverless.yml). */
export interface DeployedStack {
  stackName: string;
  workQueueUrl: string;
  workQueueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  /** where the parts of a planning wait (stacks deployed before it had one: none) */
  planQueueUrl?: string;
  bucket: string;
  secretPrefix: string;
  /** each further portal's own work queue: secretId → URL (none: every portal's pages are on the work queue) */
  portalQueues: Map<string, string>;
}

export const stackName = (stage: string) => `zoho-desk-reports-${stage}`;

/** What the name of every alarm of the stage's stack starts with (AlarmName in serverless.yml). */
export const alarmNamePrefix = (stage: string) => `${stackName(stage)}-alarm-`;

/** The names of the stage's alarms in state ALARM, sorted, without the prefix (e.g. `dead-letters`). */
export async function firingAlarms(cloudwatch: CloudWatchClient, stage: string): Promise<string[]> {
  const prefix = alarmNamePrefix(stage);
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, StateValue: 'ALARM', NextToken }));
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      // Checked again here: moto 5.2.1 ignores StateValue when AlarmNamePrefix is given.
      if (alarm.StateValue === 'ALARM' && alarm.AlarmName?.startsWith(prefix)) names.push(alarm.AlarmName.slice(prefix.length));
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return names.sort();
}

/** Finds the queues and the bucket from the stack's outputs, not from hand-copied URLs. */
export async function findStack(cfn: CloudFormationClient, stage: string): Promise<DeployedStack> {
  const name = stackName(stage);
  let outputs: Record<string, string>;
  try {
    const result = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    outputs = Object.fromEntries((result.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if ((error as Error).message?.includes('does not exist')) {
      throw new ConfigError(
        `There is no stack ${name} in this region: deploy it with \`npx serverless deploy --stage ${stage}\`, or give the right --stage and --region.`,
      );
    }
    throw error;
  }
  const need = (key: string) => {
    const value = outputs[key];
    if (!value) throw new ConfigError(`The stack ${name} has no output ${key}: redeploy it with this version's serverless.yml.`);
    return value;
  };
  return {
    stackName: name,
    workQueueUrl: need('WorkQueueUrl'),
    workQueueArn: need('WorkQueueArn'),
    deadLetterQueueUrl: need('DeadLetterQueueUrl'),
    deadLetterQueueArn: need('DeadLetterQueueArn'),
    ...(outputs.PlanQueueUrl && { planQueueUrl: outputs.PlanQueueUrl }),
    bucket: need('ReportsBucketName'),
    secretPrefix: outputs.SecretPrefix || 'zoho_auth',
    portalQueues: parsePortalQueues(outputs.PortalQueueUrls ?? '', `The stack ${name}'s output PortalQueueUrls`),
  };
}

export interface Depth {
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueDepth(sqs: SQSClient, url: string): Promise<Depth> {
  const { Attributes: a = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Up to ten dead-lettered messages and their reasons, left in place (received with no visibility timeout). */
export async function peekDeadLetters(sqs: SQSClient, url: string): Promise<Array<{ reason: string; body: string }>> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
  );
  return Messages.map((m) => ({
    reason: m.MessageAttributes?.reason?.StringValue ?? 'failed on every receive (moved by the redrive policy)',
    body: m.Body ?? '',
  }));
}

export interface MoveProgress {
  status: string;
  moved: number;
  toMove: number | undefined;
  failure?: string;
}

const queueName = (arn: string) => arn.split(':').at(-1) ?? arn;

/**
 * Starts SQS's move of every dead-lettered message back to the work queue (StartMessageMoveTask). Refused —
 * no permission, or an SQS without message move tasks (emulators) — it throws a ConfigError saying so and
 * what to do instead; nothing has moved then.
 */
export async function startRedrive(sqs: SQSClient, stack: DeployedStack): Promise<void> {
  try {
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: stack.deadLetterQueueArn, DestinationArn: stack.workQueueArn }));
  } catch (error) {
    const refusal = sqsRefusal(error);
    if (!refusal) throw error;
    const dead = queueName(stack.deadLetterQueueArn);
    const work = queueName(stack.workQueueArn);
    throw new ConfigError(
      refusal.kind === 'denied'
        ? `SQS refused StartMessageMoveTask (${refusal.detail}), so nothing was moved: your AWS credentials need sqs:StartMessageMoveTask, ` +
            `sqs:ListMessageMoveTasks, sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on ${dead}, and sqs:SendMessage on ${work}.`
        : `This SQS endpoint cannot move messages (StartMessageMoveTask: ${refusal.detail}; emulators such as moto do not have it), so nothing ` +
            `was moved: move them by hand instead (receive from ${dead}, send to ${work}, delete from ${dead}).`,
      { cause: error },
    );
  }
}

/** Follows the move SQS is making (ListMessageMoveTasks), reporting progress until the task ends. */
export async function followRedrive(
  sqs: SQSClient,
  stack: DeployedStack,
  onProgress: (progress: MoveProgress) => void,
  pause: (ms: number) => Promise<unknown>,
): Promise<MoveProgress> {
  for (;;) {
    let results;
    try {
      results = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: stack.deadLetterQueueArn, MaxResults: 1 }))).Results ?? [];
    } catch (error) {
      const refusal = sqsRefusal(error);
      if (!refusal) throw error;
      throw new ConfigError(
        `SQS is moving the dead-lettered messages, but refused ListMessageMoveTasks (${refusal.detail}), so their progress cannot be followed ` +
          `here: \`status\` shows the dead-letter queue empty out${refusal.kind === 'denied' ? '; your AWS credentials need sqs:ListMessageMoveTasks on it' : ''}.`,
        { cause: error },
      );
    }
    const task = results[0];
    const progress: MoveProgress = {
      status: task?.Status ?? 'UNKNOWN',
      moved: Number(task?.ApproximateNumberOfMessagesMoved ?? 0),
      toMove: task?.ApproximateNumberOfMessagesToMove,
      ...(task?.FailureReason ? { failure: task.FailureReason } : {}),
    };
    onProgress(progress);
    if (progress.status !== 'RUNNING' && progress.status !== 'CANCELLING') return progress;
    await pause(5_000);
  }
}
