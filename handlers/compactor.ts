import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueViewCatalog } from '../lib/adapters/aws/glue-view-catalog.js';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { jsonLogger } from '../lib/adapters/json-logger.js';
import { awsClientConfig } from '../lib/aws/client-config.js';
import { buildCompactor } from '../lib/aws/compactor.js';
import { loadAwsConfig } from '../lib/aws/config.js';
import { systemClock } from '../lib/clock.js';

// Built once per Lambda instance; a configuration error fails the cold start with the variable's name.
const config = loadAwsConfig(process.env);
const store = new S3ObjectStore(new S3Client(awsClientConfig('S3', process.env)), config.REPORTS_BUCKET);

const views = config.ANALYTICS_DATABASE
  ? new GlueViewCatalog(new GlueClient(awsClientConfig('GLUE', process.env)), config.ANALYTICS_DATABASE, `s3://${config.REPORTS_BUCKET}/`)
  : undefined;

/**
 * Hourly (EventBridge), one at a time: the bucket's settled runs compacted into current/ with DuckDB (in its
 * zip), and Athena's latest views pointed at the new generations.
 */
export const handler = buildCompactor({ store, clock: systemClock, logger: jsonLogger('compactor'), ...(views && { views }) });
