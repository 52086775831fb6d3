import * as z from 'zod';
import { ConfigError } from '../errors.js';

/**
 * The Lambdas' configuration, read once at cold start from the environment serverless.yml sets. A missing
 * or malformed variable stops the cold start with its name and what to put there.
 */
const configSchema = z.object({
  WORK_QUEUE_URL: z.url({ error: 'must be the work queue URL (serverless.yml sets it)' }),
  DEAD_LETTER_QUEUE_URL: z.url({ error: 'must be the dead-letter queue URL (serverless.yml sets it)' }),
  /** where a planning that stops before the scheduler's timeout queues its next part (unset: the work queue) */
  PLAN_QUEUE_URL: z.url({ error: 'must be the plan queue URL (serverless.yml sets it)' }).optional(),
  REPORTS_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name' }),
  ZOHO_SECRET_ID: z.string().min(1).default('zoho_auth'),
  SECRET_PREFIX: z.string().min(1).default('zoho_auth'),
  /**
   * Further portals the schedule runs besides ZOHO_SECRET_ID's: their secret ids, a comma list. Listed, not found
   * under the prefix: listing secrets cannot be limited to a prefix in IAM, and a secret made for a try would
   * start being exported unasked.
   */
  PORTALS: z.string().default(''),
  /**
   * Each further portal's own work queue, `secretId=URL` comma-separated (serverless.yml makes one per portal,
   * deploy/portals.cjs): its pages go there, and the consumer reads it with the portal's own concurrency. A portal
   * without one shares the work queue.
   */
  PORTAL_QUEUES: z.string().default(''),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(5),
  /** calls one Lambda instance makes at once; the event source's maximum concurrency multiplies it */
  CALLS_PER_INSTANCE: z.coerce.number().int().min(1).max(25).default(1),
  /** credits of the portal's daily pool the deployment leaves unspent: a number, or a share like 20% */
  CREDIT_RESERVE: z
    .string()
    .regex(/^\d+(\.\d+)?%?$/, { error: 'must be a number of credits or a share like 20%' })
    .default('20%'),
  /** reports the schedule runs (comma list); all when empty */
  SCHEDULED_REPORTS: z.string().default(''),
  /** hours between full reads of the reports of changes (tickets), which find deletions the recycle bin missed */
  ZOHO_RECONCILE_HOURS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().min(0).max(8784).default(24)),
  /** the Glue database of the Athena views, whose custom-field columns the scheduler keeps up to date; none: not kept */
  ANALYTICS_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,255}$/, { error: 'must be a Glue database name (letters, digits, _)' })
    .optional(),
});

export type AwsConfig = z.infer<typeof configSchema>;

export function loadAwsConfig(env: Record<string, string | undefined>): AwsConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return env[name] === undefined || env[name] === '' ? `${name} is not set` : `${name} ${issue.message}`;
    });
    throw new ConfigError(`Lambda configuration: ${problems.join('; ')}.`);
  }
  if (!result.data.ZOHO_SECRET_ID.startsWith(result.data.SECRET_PREFIX)) {
    throw new ConfigError(`Lambda configuration: ZOHO_SECRET_ID must start with SECRET_PREFIX (${result.data.SECRET_PREFIX}).`);
  }
  const outside = portalsOf(result.data).filter((id) => !id.startsWith(result.data.SECRET_PREFIX) || !/^[A-Za-z0-9_+=.@/-]{1,512}$/.test(id));
  if (outside.length) {
    throw new ConfigError(
      `Lambda configuration: PORTALS (the portals parameter) lists ${outside.map((id) => `"${id}"`).join(', ')}: each must be a secret name starting with SECRET_PREFIX (${result.data.SECRET_PREFIX}).`,
    );
  }
  portalQueuesOf(result.data);
  return result.data;
}

/**
 * The further portals' secret ids, each once and none the default's. An entry may carry the calls its edition
 * allows (`zoho_auth_eu:15`): serverless.yml makes that the maximum concurrency of the portal's queue.
 */
export function portalsOf(config: Pick<AwsConfig, 'PORTALS' | 'ZOHO_SECRET_ID'>): string[] {
  const ids = config.PORTALS.split(',').map((entry) => entry.trim().replace(/:\d+$/, ''));
  return [...new Set(ids.filter((id) => id && id !== config.ZOHO_SECRET_ID))];
}

/** PORTAL_QUEUES as secretId → queue URL; a malformed entry stops the cold start, saying what serverless.yml sets. */
export const portalQueuesOf = (config: Pick<AwsConfig, 'PORTAL_QUEUES'>) =>
  parsePortalQueues(config.PORTAL_QUEUES, 'Lambda configuration: PORTAL_QUEUES');

/** `secretId=URL,…` (PORTAL_QUEUES, the stack's PortalQueueUrls output) as secretId → queue URL. */
export function parsePortalQueues(text: string, source: string): Map<string, string> {
  const queues = new Map<string, string>();
  for (const entry of text.split(',').map((part) => part.trim())) {
    if (!entry) continue;
    const at = entry.lastIndexOf('=');
    const secretId = entry.slice(0, at);
    const url = entry.slice(at + 1);
    if (at <= 0 || !URL.canParse(url)) {
      throw new ConfigError(`${source} has "${entry}": each entry must be secretId=queue URL (serverless.yml sets it; redeploy).`);
    }
    queues.set(secretId, url);
  }
  return queues;
}
