import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { jsonLogger } from '../lib/adapters/json-logger.js';
import { awsClientConfig } from '../lib/aws/client-config.js';
import { buildCompactor } from '../lib/aws/compactor.js';
import { loadAwsConfig } from '../lib/aws/config.js';
import { systemClock } from '../lib/clock.js';

// Built once per Lambda instance; a configuration error fails the cold start with the variable's name.
const config = loadAwsConfig(process.env);
const store = new S3ObjectStore(new S3Client(awsClientConfig('S3', process.env)), config.REPORTS_BUCKET);

/** Hourly (EventBridge), one at a time: the bucket's settled runs compacted into current/ with DuckDB (its layer). */
export const handler = buildCompactor({ store, clock: systemClock, logger: jsonLogger('compactor') });
