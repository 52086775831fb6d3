import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { PackagedApp, Template } from './serverless-package.js';

export const MOTO_REGION = 'us-east-1';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** What moto 5.2.1 cannot create: the Athena workgroup, the Glue catalog, the CloudWatch alarm. */
const NOT_IN_MOTO = /^AWS::(Glue|Athena|CloudWatch)::/;

/**
 * The packaged template as moto can deploy it: without the resources it cannot create (and the outputs that
 * name them), and with the consumer's SQS event source mapping created disabled — enabled, moto would run the
 * consumer in Docker for every message sent, and each failed try would count as a receive.
 */
export function motoTemplate(template: Template): { template: Template; dropped: string[] } {
  const copy = structuredClone(template);
  const dropped = Object.keys(copy.Resources).filter((id) => NOT_IN_MOTO.test(copy.Resources[id]!.Type));
  for (const id of dropped) delete copy.Resources[id];
  const names = (value: unknown) => dropped.some((id) => JSON.stringify(value).includes(`"${id}"`));
  for (const [key, output] of Object.entries(copy.Outputs)) if (names(output.Value)) delete copy.Outputs[key];
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type === 'AWS::Lambda::EventSourceMapping') resource.Properties.Enabled = false;
  }
  return { template: copy, dropped };
}

export interface DeployedInMoto {
  stack: Stack;
  /** the logical ids left out of the template (motoTemplate) */
  dropped: string[];
  outputs: Record<string, string>;
  /** logical id → physical id (what `Ref` gives) */
  physical: Record<string, string>;
  /** the environment CloudFormation gave a function, with every `Ref` resolved */
  functionEnvironment(logicalId: string): Record<string, string>;
}

/**
 * Deploys the packaged app into moto as `serverless deploy` does: the stack with its deployment bucket first,
 * then the function zips into that bucket, then the whole template as an update.
 */
export async function deployToMoto(endpoint: string, app: PackagedApp, stackName: string): Promise<DeployedInMoto> {
  const client = { endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
  const cfn = new CloudFormationClient(client);
  const s3 = new S3Client({ ...client, forcePathStyle: true });
  const { template, dropped } = motoTemplate(app.updateTemplate);
  const capabilities = { Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const] };

  await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(app.createTemplate), ...capabilities }));
  const created = await settled(cfn, stackName, 'CREATE_COMPLETE');
  const bucket = created.Outputs?.find((o) => o.OutputKey === 'ServerlessDeploymentBucketName')?.OutputValue;
  if (!bucket) throw new Error('moto created the stack without its ServerlessDeploymentBucketName output');
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = resource.Properties.Code.S3Key as string;
    const zip = await readFile(join(app.dir, key.split('/').at(-1) ?? ''));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: zip }));
  }
  await cfn.send(new UpdateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template), ...capabilities }));
  const stack = await settled(cfn, stackName, 'UPDATE_COMPLETE');

  const { StackResources = [] } = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  const physical = Object.fromEntries(StackResources.map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId ?? '']));
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const ref = (value as { Ref?: string }).Ref;
    if (ref && physical[ref]) return physical[ref];
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(resolve).join(join[0]);
    throw new Error(`cannot resolve ${JSON.stringify(value)} in a function's environment`);
  };
  return {
    stack,
    dropped,
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
    physical,
    functionEnvironment: (logicalId) => {
      const variables = template.Resources[logicalId]?.Properties.Environment?.Variables as Record<string, unknown> | undefined;
      if (!variables) throw new Error(`no function ${logicalId} with an environment in the template`);
      return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)]));
    },
  };
}

/** Waits for the stack to leave *_IN_PROGRESS, and fails with moto's reasons unless it reached `wanted`. */
async function settled(cfn: CloudFormationClient, stackName: string, wanted: string): Promise<Stack> {
  for (let polls = 0; polls < 600; polls += 1) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) {
      if (stack.StackStatus === wanted) return stack;
      const { StackEvents = [] } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
      const failures = StackEvents.filter((e) => e.ResourceStatus?.endsWith('_FAILED')).map(
        (e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`,
      );
      throw new Error(`moto left ${stackName} ${stack.StackStatus} (${stack.StackStatusReason ?? 'no reason'}): ${failures.join('; ')}`);
    }
    await delay(100);
  }
  throw new Error(`${stackName} was still in progress after 60 s`);
}
