import { describe, expect, it } from 'vitest';
import { jsonLogger } from '../../lib/adapters/json-logger.js';

describe('the Lambda log', () => {
  it('writes one JSON object per line and redacts secret fields wherever they are', () => {
    const lines: string[] = [];
    const log = jsonLogger('consumer', 'info', { write: (line) => lines.push(line) });
    log.info({ report: 'threads', access_token: '1000.abc', nested: { refresh_token: '1000.def', client_secret: 's3cr3t' } }, 'page written');
    log.debug({ report: 'hidden' }, 'below the level');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', service: 'consumer', msg: 'page written', report: 'threads', access_token: '[redacted]' });
    expect(entry.nested).toEqual({ refresh_token: '[redacted]', client_secret: '[redacted]' });
    expect(lines[0]).not.toMatch(/1000\.abc|1000\.def|s3cr3t/);
  });
});
