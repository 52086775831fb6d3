import { describe, expect, it } from 'vitest';
import { loadAwsConfig } from '../../lib/aws/config.js';
import { ConfigError } from '../../lib/errors.js';
import { thrown } from '../helpers/errors.js';

describe('Lambda configuration', () => {
  it('names every missing or malformed variable at cold start', () => {
    const error = thrown(() => loadAwsConfig({ REPORTS_BUCKET: 'Not A Bucket!' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      'Lambda configuration: WORK_QUEUE_URL is not set; DEAD_LETTER_QUEUE_URL is not set; REPORTS_BUCKET must be an S3 bucket name.',
    );
  });
});
