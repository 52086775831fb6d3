/** The SDK's service ids as they are spelt in AWS_ENDPOINT_URL_<SERVICE>. */
export type AwsService = 'SQS' | 'S3' | 'SECRETS_MANAGER' | 'CLOUDFORMATION' | 'GLUE' | 'CLOUDWATCH';

export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  /** S3 only */
  forcePathStyle?: boolean;
}

/**
 * One SDK client's configuration: the region when given (else the SDK's own chain), and the endpoint of an
 * emulator (LocalStack, moto) from AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL, as the SDK and the AWS CLI
 * read them (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns both off).
 *
 * The SDK reads those variables itself, but only from process.env, and an endpoint it found there does not
 * stop the SQS client from sending each request to the host of the QueueUrl — which, for queues CloudFormation
 * made in moto, is sqs.<region>.amazonaws.com. Given here, it holds for every request. S3 is addressed by path
 * (bucket in the path, not the host name) when an endpoint is set or AWS_S3_FORCE_PATH_STYLE=true, unless
 * AWS_S3_FORCE_PATH_STYLE=false.
 */
export function awsClientConfig(service: AwsService, env: Record<string, string | undefined>, region?: string): AwsClientConfig {
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true';
  const endpoint = ignore ? undefined : env[`AWS_ENDPOINT_URL_${service}`]?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined;
  const config: AwsClientConfig = {
    ...(region && { region }),
    ...(endpoint && { endpoint }),
  };
  if (service === 'S3') {
    const pathStyle = env.AWS_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
    config.forcePathStyle = pathStyle === 'true' || (endpoint !== undefined && pathStyle !== 'false');
  }
  return config;
}
