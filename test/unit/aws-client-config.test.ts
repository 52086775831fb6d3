import { describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../lib/aws/client-config.js';
import { createAwsClients } from '../../lib/aws/deps.js';
import { createOperatorClients } from '../../lib/aws/operator.js';

// Which endpoint each client is built with, from the environment given (test/aws-moto.test.ts drives the
// clients against moto through AWS_ENDPOINT_URL alone).

const endpointOf = async (client: { config: { endpoint?: () => Promise<{ hostname?: string; port?: number }> } }) => {
  const endpoint = await client.config.endpoint?.();
  return endpoint && `${endpoint.hostname}:${endpoint.port}`;
};

describe('the SDK clients and AWS_ENDPOINT_URL', () => {
  it('point every client of the Lambdas and the operator commands at AWS_ENDPOINT_URL, S3 by path', async () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' };
    const lambda = createAwsClients(env);
    const operator = createOperatorClients('eu-west-1', env);
    for (const client of [lambda.sqs, lambda.s3, lambda.secrets, operator.cfn, operator.sqs, operator.s3, operator.secrets, operator.cloudwatch]) {
      expect(await endpointOf(client)).toBe('127.0.0.1:5000');
    }
    expect(lambda.s3.config.forcePathStyle).toBe(true);
    expect(operator.s3.config.forcePathStyle).toBe(true);
    expect(await operator.sqs.config.region()).toBe('eu-west-1');
  });

  it('prefer AWS_ENDPOINT_URL_<SERVICE> to AWS_ENDPOINT_URL, and leave the rest to the SDK without them', async () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:5001',
      AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:5002',
    };
    const operator = createOperatorClients(undefined, env);
    expect(await endpointOf(operator.secrets)).toBe('127.0.0.1:5001');
    expect(await endpointOf(operator.cfn)).toBe('127.0.0.1:5002');
    expect(await endpointOf(operator.sqs)).toBe('127.0.0.1:5000');
    expect(awsClientConfig('SQS', {})).toEqual({});
    expect(awsClientConfig('S3', {}, 'eu-west-1')).toEqual({ region: 'eu-west-1', forcePathStyle: false });
    expect(awsClientConfig('S3', { AWS_S3_FORCE_PATH_STYLE: 'true' })).toEqual({ forcePathStyle: true });
  });

  it('keep virtual-host S3 when asked, and ignore the endpoints when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true', () => {
    expect(awsClientConfig('S3', { AWS_ENDPOINT_URL: 'http://s3.localhost.localstack.cloud:4566', AWS_S3_FORCE_PATH_STYLE: 'false' })).toEqual({
      endpoint: 'http://s3.localhost.localstack.cloud:4566',
      forcePathStyle: false,
    });
    expect(awsClientConfig('SQS', { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toEqual({});
  });
});
