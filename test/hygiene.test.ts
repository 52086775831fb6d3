import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { schedule } from '../lib/aws/scheduler.js';
import { createAwsDeps } from '../lib/aws/deps.js';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { main } from '../lib/cli/main.js';
import type { Logger } from '../lib/ports.js';
import { awsFixture, lambdaContext, sqsEvent } from './helpers/aws.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir, type Fixture } from './helpers/zoho.js';

const open = fixtures();

/** A logger that keeps every line, as JSON, for inspection. */
function capturingLogger(lines: string[]): Logger {
  const keep = (level: string) => (fields: object, message: string) => lines.push(JSON.stringify({ level, message, ...fields }));
  return { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** Every secret the run could have leaked: the client secret, the grant code, every refresh and access token. */
async function secretsOf(fixture: Fixture, code: string): Promise<string[]> {
  const stored = await fixture.store.read();
  const secrets = [String(stored.client_secret), code, ...fixture.running.sim.accounts.issuedTokens()];
  expect(secrets.length).toBeGreaterThanOrEqual(4);
  return secrets;
}

function hits(haystacks: Array<[string, string]>, secrets: string[]): string[] {
  return haystacks.flatMap(([where, text]) => secrets.filter((s) => text.includes(s)).map(() => where));
}

describe('secrets never appear in logs, errors, stored objects or manifests', () => {
  it('on this machine: a full run, a poison message and a revoked token', async () => {
    const fixture = await open({ simulator: { tickets: 30 } });
    const code = String((await fixture.store.read()).code);
    const dir = await tempDir();
    const logs: string[] = [];
    const context = { ...contextFor(fixture), logger: capturingLogger(logs), env: { ...contextFor(fixture).env, DEBUG: '1' } };
    expect(await main(['run', '--out', dir.path], context)).toBe(0);
    const pipeline = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    await pipeline.queue.send([{ body: JSON.stringify({ report: 'threads', params: { ticketId: 12 } }) }]);
    await pipeline.close();
    fixture.running.sim.accounts.revokeAllRefreshTokens();
    await fixture.store.write({ ...(await fixture.store.read()), access_token: undefined });
    expect(await main(['run', '--out', dir.path], context)).toBe(3);

    const files = (await readdir(dir.path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(50);
    const haystacks: Array<[string, string]> = [
      ...(await Promise.all(files.map(async (f): Promise<[string, string]> => [join(f.parentPath, f.name), await readFile(join(f.parentPath, f.name), 'utf8')]))),
      ...logs.map((line, i): [string, string] => [`log line ${i}`, line]),
      ...context.out.lines.map((line, i): [string, string] => [`output line ${i}`, line]),
      ...context.out.errors.map((line, i): [string, string] => [`error line ${i}`, line]),
    ];
    expect(logs.length).toBeGreaterThan(0);
    expect(context.out.errors.join('\n')).toContain('refresh token was rejected');
    expect(hits(haystacks, await secretsOf(fixture, code))).toEqual([]);
    await dir.remove();
  });

  it('on AWS: the bucket, the dead-letter queue and the Lambda logs', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const code = String((await fixture.store.read()).code);
    const aws = await awsFixture(fixture);
    try {
      const logs: string[] = [];
      const deps = createAwsDeps(aws.config, aws.clients, { logger: capturingLogger(logs), env: fixture.env, retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 } });
      await schedule({}, deps, []);
      await deps.queue.send([{ body: '{"report":"threads","params":{"ticketId":1329983000000425001}}' }]);
      const handler = buildConsumer(deps, { concurrency: 5, retry: { baseMs: 0, capMs: 0 } });
      for (let round = 0; round < 10; round += 1) {
        const messages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
        if (!messages.length) break;
        for (let i = 0; i < messages.length; i += 10) await handler(sqsEvent(messages.slice(i, i + 10)), lambdaContext());
      }
      const bucket = new S3ObjectStore(aws.clients.s3, aws.config.REPORTS_BUCKET);
      const keys = await bucket.list('');
      expect(keys.length).toBeGreaterThan(50);
      const dead = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
      expect(dead.length).toBeGreaterThan(0);
      const haystacks: Array<[string, string]> = [
        ...(await Promise.all(keys.map(async (key): Promise<[string, string]> => [key, (await bucket.get(key)) ?? '']))),
        ...dead.map((m): [string, string] => [`dead letter ${m.MessageId}`, JSON.stringify(m)]),
        ...logs.map((line, i): [string, string] => [`log line ${i}`, line]),
      ];
      const secrets = [...(await secretsOf(fixture, code)), JSON.parse(aws.secretsManager.secrets.get('zoho_auth')?.value ?? '{}').refresh_token];
      expect(hits(haystacks, secrets)).toEqual([]);
    } finally {
      await aws.close();
    }
  });
});
