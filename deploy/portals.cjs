// The further portals' part of the stack, made from the `portals` parameter (serverless.yml reads each export below
// with ${file(./deploy/portals.cjs):name}; osls calls it with resolveVariable). Each further portal gets a work
// queue of its own, which the consumer reads with that portal's own maximum concurrency: Zoho limits calls in
// flight per portal, and an event source's maximum concurrency is the only in-flight cap Lambda has. One queue
// shared by every portal (even a fair queue, with the portal as message group) caps them all together: a portal's
// backlog could take every slot while the other is idle, so the cap would have to be the smallest edition's.
// CommonJS, not TypeScript: osls loads it with require(). Ids here are CloudFormation's, not Zoho's.
'use strict';

const { createHash } = require('node:crypto');

/** Lambda's event source maximum concurrency is 2 to 1000; Zoho's editions allow 5 to 25 calls at once. */
const MIN_CALLS = 2;
const MAX_CALLS = 25;
/** Each portal takes about 130 bytes of the Lambdas' 4 KB environment (PORTALS, PORTAL_QUEUES); the rest needs about 1 KB. */
const MAX_PORTALS = 20;
/** SQS's limit on the source queues a redrive allow policy names */
const MAX_SOURCE_QUEUES = 10;
/** Calls in flight for a portal listed without them: the Free edition's, which every edition allows. */
const DEFAULT_CALLS = 5;

/**
 * `zoho_auth_eu:15,zoho_auth_client2` → [{ secretId, calls }], each secret once and not the default's. Throws
 * (osls prints it and stops) on a malformed entry, naming it and what to write.
 * @param {string} text the portals parameter
 * @param {string} defaultSecretId the default portal's secret (secretId), which has the work queue
 * @returns {{ secretId: string, calls: number }[]}
 */
function parsePortals(text, defaultSecretId) {
  const portals = [];
  for (const entry of String(text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9_+=.@/-]{1,512})(?::(\d+))?$/.exec(entry);
    const calls = match?.[2] === undefined ? DEFAULT_CALLS : Number(match[2]);
    if (!match || calls < MIN_CALLS || calls > MAX_CALLS) {
      throw new Error(
        `The portals parameter lists "${entry}": write each portal as its secret id, optionally followed by the Zoho calls its edition ` +
          `allows at once (${MIN_CALLS}–${MAX_CALLS}), e.g. zoho_auth_eu:15,zoho_auth_client2 (Free 5, Express/Standard 10, Professional 15, Enterprise 25).`,
      );
    }
    const secretId = match[1];
    if (secretId === defaultSecretId || portals.some((p) => p.secretId === secretId)) continue;
    portals.push({ secretId, calls });
  }
  return portals;
}

/**
 * A portal's queue: a logical id and a name that stay the same for the same secret, whatever its place in the
 * list (a changed logical id would make CloudFormation replace the queue, and the pages in it would be lost).
 * @param {string} secretId
 * @param {string} prefix `<service>-<stage>`
 */
function queueOf(secretId, prefix) {
  const hash = createHash('sha256').update(secretId).digest('hex').slice(0, 8);
  // SQS names: 80 characters of letters, digits, - and _. Secret names may also hold + = . @ /, and two secrets
  // that differ only there (zoho_auth.eu, zoho_auth/eu) would share a readable name: those take the hash.
  const readable = `${prefix}-work-${secretId}`;
  const name = /^[A-Za-z0-9_-]{1,80}$/.test(readable) ? readable : `${prefix.slice(0, 80 - '-work-'.length - hash.length)}-work-${hash}`;
  return { logicalId: `PortalWorkQueue${hash}`, name };
}

/**
 * Everything the template needs, from the resolved parameters.
 * @param {{ portals: string, secretId: string, secretPrefix?: string, service: string, stage: string, zohoConcurrency: number, runDeadlineSeconds: number }} params
 */
function portalStack(params) {
  const prefix = `${params.service}-${params.stage}`;
  if (!Number.isInteger(params.zohoConcurrency) || params.zohoConcurrency < MIN_CALLS || params.zohoConcurrency > MAX_CALLS) {
    throw new Error(
      `The zohoConcurrency parameter must be a whole number of calls from ${MIN_CALLS} to ${MAX_CALLS}: your edition's (Free 5, Express/Standard 10, Professional 15, Enterprise 25).`,
    );
  }
  if (!Number.isInteger(params.runDeadlineSeconds) || params.runDeadlineSeconds < 60) {
    throw new Error('The runDeadlineSeconds parameter must be a whole number of seconds, at least 60 (the schedule period: 14400 for 4 hours).');
  }
  const outside = parsePortals(params.portals, params.secretId).filter((p) => params.secretPrefix && !p.secretId.startsWith(params.secretPrefix));
  if (outside.length > 0) {
    // The Lambdas may read only secrets under the prefix, and refuse to start with such a list: refused here, before deploying.
    throw new Error(
      `The portals parameter lists ${outside.map((p) => `"${p.secretId}"`).join(', ')}: each must be a secret name starting with secretPrefix (${params.secretPrefix}).`,
    );
  }
  if (parsePortals(params.portals, params.secretId).length > MAX_PORTALS) {
    throw new Error(
      `The portals parameter lists more than ${MAX_PORTALS} portals: the Lambdas' environment (4 KB, which names each portal's queue) ` +
        'holds no more. Deploy a second stage for the others (each stage has its own bucket).',
    );
  }
  const portals = parsePortals(params.portals, params.secretId).map((portal) => ({ ...portal, ...queueOf(portal.secretId, prefix) }));
  const arnOf = (name) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:${name}` });
  const consumerEvent = (logicalId, calls) => ({
    sqs: {
      arn: { 'Fn::GetAtt': [logicalId, 'Arn'] },
      // Ten pages per invocation, one after another (CALLS_PER_INSTANCE): well inside the timeout even at
      // Zoho's slowest, and a short window so chained pages do not wait long.
      batchSize: 10,
      maximumBatchingWindow: 5,
      functionResponseType: 'ReportBatchItemFailures',
      // Lambda never runs more consumers on this queue than its portal allows Zoho calls at once.
      maximumConcurrency: calls,
    },
  });
  const resources = {};
  const outputs = {};
  for (const portal of portals) {
    resources[portal.logicalId] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: portal.name,
        // As the work queue: six consumer timeouts, 14 days, encrypted, dead-lettered after five receives.
        VisibilityTimeout: 360,
        MessageRetentionPeriod: 1209600,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: 5 },
        // A tag value holds 256 characters, a secret name 512.
        Tags: [{ Key: 'zoho-desk-reports:secret-id', Value: portal.secretId.slice(0, 256) }],
      },
    };
    // As RunOverdueAlarm for the work queue (serverless.yml says what it measures and misses), per portal.
    resources[`${portal.logicalId}RunOverdueAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${prefix}-alarm-run-overdue-${portal.name.slice(prefix.length + '-work-'.length)}`,
        AlarmDescription: `A page has waited in the work queue of portal ${portal.secretId} longer than the schedule period, so its run did not finish in time`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [portal.logicalId, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: params.runDeadlineSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
        OKActions: [{ Ref: 'AlarmTopic' }],
      },
    };
  }
  if (portals.length > 0) {
    outputs.PortalQueueUrls = { Value: portalQueueUrls(portals), Description: "Each further portal's work queue: secretId=URL, comma-separated" };
  }
  return {
    portals,
    /** the resources fragment: the portals' queues, and their URLs for the operator commands */
    resources: { Resources: resources, Outputs: outputs },
    /** the consumer's events: the work queue (the default portal) with zohoConcurrency, then each portal's queue */
    consumerEvents: [consumerEvent('WorkQueue', params.zohoConcurrency), ...portals.map((p) => consumerEvent(p.logicalId, p.calls))],
    /** the queues the Lambdas send to and take from */
    queueArns: [
      { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
      { 'Fn::GetAtt': ['PlanQueue', 'Arn'] },
      ...portals.map((p) => ({ 'Fn::GetAtt': [p.logicalId, 'Arn'] })),
    ],
    /**
     * Which queues may use the dead-letter queue: the work, plan and portal queues by name — SQS takes ten at
     * most, so with more than eight portals, any queue of the account (the redrive policies still name it).
     */
    redriveAllowPolicy:
      portals.length + 2 <= MAX_SOURCE_QUEUES
        ? { redrivePermission: 'byQueue', sourceQueueArns: [`${prefix}-work`, `${prefix}-plan`, ...portals.map((p) => p.name)].map(arnOf) }
        : { redrivePermission: 'allowAll' },
    /** PORTAL_QUEUES for the Lambdas: secretId=URL, comma-separated; empty with no further portal */
    queueUrls: portals.length > 0 ? portalQueueUrls(portals) : '',
  };
}

function portalQueueUrls(portals) {
  return { 'Fn::Join': [',', portals.map((p) => ({ 'Fn::Join': ['=', [p.secretId, { Ref: p.logicalId }]] }))] };
}

/** The parameters, resolved by osls (`param:` sources work in a file variable's function). */
async function resolved({ resolveVariable }) {
  return portalStack({
    portals: (await resolveVariable('param:portals')) ?? '',
    secretId: await resolveVariable('param:secretId'),
    secretPrefix: await resolveVariable('param:secretPrefix'),
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    zohoConcurrency: Number(await resolveVariable('param:zohoConcurrency')),
    runDeadlineSeconds: Number(await resolveVariable('param:runDeadlineSeconds')),
  });
}

module.exports = {
  parsePortals,
  portalStack,
  resources: async (context) => (await resolved(context)).resources,
  consumerEvents: async (context) => (await resolved(context)).consumerEvents,
  queueArns: async (context) => (await resolved(context)).queueArns,
  redriveAllowPolicy: async (context) => (await resolved(context)).redriveAllowPolicy,
  queueUrls: async (context) => (await resolved(context)).queueUrls,
};
