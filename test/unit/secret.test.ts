import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { parseZohoSecret } from '../../lib/zoho/secret.js';

const valid = { client_id: '1000.ABC', client_secret: 's3cr3t-value', code: '1000.code', org_id: '927523540' };

function parseError(raw: unknown): Error {
  try {
    parseZohoSecret(raw, 'secret file .zoho/auth.json');
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the secret to be refused');
}

describe('the secret, as the original project told its users to write it', () => {
  it('accepts client_id, client_secret, redirect_uri, code and org_id, and keeps unknown keys', () => {
    const parsed = parseZohoSecret({ ...valid, redirect_uri: 'https://example.com', note: 'mine' }, 'x');
    expect(parsed).toMatchObject({ ...valid, note: 'mine' });
  });

  it('names each missing or bad field and where to get it, one line, without any value', () => {
    const error = parseError({ client_secret: 's3cr3t-value', code: '', org_id: 'abc' });
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('has no "client_id": copy it from the Zoho API console');
    expect(error.message).toContain('"org_id"');
    expect(error.message).not.toContain('s3cr3t-value');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('needs a code or a refresh token', () => {
    expect(parseError({ client_id: 'a', client_secret: 'b' }).message).toContain('neither "code" nor "refresh_token"');
  });

  it('accepts an org_id written as an exact number but refuses one that lost precision', () => {
    expect(parseZohoSecret({ ...valid, org_id: 927523540 }, 'x').org_id).toBe('927523540');
    const lossy = JSON.parse('{"client_id":"a","client_secret":"b","code":"c","org_id":1329983000000425001}') as unknown;
    expect(parseError(lossy).message).toContain('too large to be exact: write it as a string in quotes');
  });

  it('refuses what is not a JSON object', () => {
    expect(parseError([1, 2]).message).toContain('must hold a JSON object');
  });
});
