import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  CreditsExhaustedError,
  InvalidMessageError,
  ReauthorizeError,
  ReportUnavailableError,
  RetryLaterError,
  ZohoRejectedError,
} from '../../lib/errors.js';
import { disposition } from '../../lib/pipeline/failure-policy.js';

describe('the failure policy', () => {
  it('sets aside what retrying cannot cure (reject, unavailable), stops for what no page can get past, retries the rest', () => {
    const timing = { baseMs: 10, capMs: 100 };
    expect(disposition(new ReportUnavailableError('not on this edition'), 1, 5, timing)).toEqual({
      kind: 'dead-letter',
      reason: 'not on this edition',
    });
    expect(disposition(new ZohoRejectedError('422'), 1, 5, timing)).toEqual({ kind: 'dead-letter', reason: '422' });
    expect(disposition(new InvalidMessageError('bad'), 1, 5, timing)).toEqual({ kind: 'dead-letter', reason: 'invalid message: bad' });
    for (const error of [new ConfigError('x'), new ReauthorizeError('x'), new CreditsExhaustedError('x')]) {
      expect(disposition(error, 1, 5, timing)).toEqual({ kind: 'stop', error });
    }
    expect(disposition(new RetryLaterError('500'), 1, 5, timing)).toEqual({ kind: 'retry', delayMs: 10 });
    expect(disposition(new Error('boom'), 5, 5, timing)).toEqual({ kind: 'dead-letter', reason: 'failed 5 times; the last time: boom' });
  });
});
