import { GlueClient } from '@aws-sdk/client-glue';
import { GlueViewCatalog } from '../lib/adapters/aws/glue-view-catalog.js';
import { jsonLogger } from '../lib/adapters/json-logger.js';
import { awsClientConfig } from '../lib/aws/client-config.js';
import { loadAwsConfig, portalsOf } from '../lib/aws/config.js';
import { createAwsClients, createAwsDeps } from '../lib/aws/deps.js';
import { buildScheduler } from '../lib/aws/scheduler.js';

// Built once per Lambda instance; a configuration error fails the cold start with the variable's name.
const config = loadAwsConfig(process.env);
const logger = jsonLogger('scheduler');
const deps = createAwsDeps(config, createAwsClients(), { logger, env: process.env });
const scheduledReports = config.SCHEDULED_REPORTS.split(',')
  .map((r) => r.trim())
  .filter(Boolean);
const views = config.ANALYTICS_DATABASE
  ? new GlueViewCatalog(new GlueClient(awsClientConfig('GLUE', process.env)), config.ANALYTICS_DATABASE, `s3://${config.REPORTS_BUCKET}/`)
  : undefined;

/**
 * Every 4 hours (EventBridge): plans a run of each portal (the default secret's and PORTALS'). Invoked by hand
 * with {"reports": [...], "params": {...}, "secretId": "..."}: a run of the portal named. From the plan queue:
 * the next part of a planning that stopped before the timeout.
 */
export const handler = buildScheduler(deps, scheduledReports, views, portalsOf(config));
