import { jsonLogger } from '../lib/adapters/json-logger.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { loadAwsConfig } from '../lib/aws/config.js';
import { createAwsClients, createAwsDeps } from '../lib/aws/deps.js';

// Built once per Lambda instance; a configuration error fails the cold start with the variable's name.
const config = loadAwsConfig(process.env);
const logger = jsonLogger('consumer');
const deps = createAwsDeps(config, createAwsClients(), { logger, env: process.env });

/** SQS work queue → one Zoho Desk page per record → S3; failed records come back (partial batch failure). */
export const handler = buildConsumer(deps, { concurrency: config.CALLS_PER_INSTANCE });
