import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../lib/adapters/aws/s3-store.js';
import { SecretsManagerStore } from '../lib/adapters/aws/secrets-manager-store.js';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { schedule } from '../lib/aws/scheduler.js';
import { createAwsDeps } from '../lib/aws/deps.js';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { main } from '../lib/cli/main.js';
import { CREDENTIALS, REGION, awsFixture, feedConsumer } from './helpers/aws.js';
import { contextFor } from './helpers/pipeline.js';
import { startSecretsManagerStandIn } from './helpers/secrets-manager-standin.js';
import { fixtures, tempDir, type Fixture } from './helpers/zoho.js';
import { capture, capturingLogger } from './helpers/capture.js';
import { rejection } from './helpers/errors.js';
import { CLIENT_SECRET, PIECES } from './helpers/secret-pieces.js';

const open = fixtures();

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
    const logger = capturingLogger();
    const context = { ...contextFor(fixture), logger, env: { ...contextFor(fixture).env, DEBUG: '1' } };
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
      ...(await Promise.all(
        files.map(async (f): Promise<[string, string]> => [join(f.parentPath, f.name), await readFile(join(f.parentPath, f.name), 'utf8')]),
      )),
      ...logger.lines.map((line, i): [string, string] => [`log line ${i}`, line]),
      ...context.out.lines.map((line, i): [string, string] => [`output line ${i}`, line]),
      ...context.out.errors.map((line, i): [string, string] => [`error line ${i}`, line]),
    ];
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(context.out.errors.join('\n')).toContain('refresh token was rejected');
    expect(hits(haystacks, await secretsOf(fixture, code))).toEqual([]);
    await dir.remove();
  });

  it('on AWS: the bucket, the dead-letter queue and the Lambda logs', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const code = String((await fixture.store.read()).code);
    const aws = await awsFixture(fixture);
    try {
      const logger = capturingLogger();
      const deps = createAwsDeps(aws.config, aws.clients, { logger, env: fixture.env, retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0 } });
      await schedule({}, deps, []);
      await deps.queue.send([{ body: '{"report":"threads","params":{"ticketId":1329983000000425001}}' }]);
      const handler = buildConsumer(deps, { concurrency: 5, retry: { baseMs: 0, capMs: 0 } });
      await feedConsumer(aws.clients.sqs, aws.config.WORK_QUEUE_URL, handler, { maxRounds: 10 });
      const bucket = new S3ObjectStore(aws.clients.s3, aws.config.REPORTS_BUCKET);
      const keys = await bucket.list('');
      expect(keys.length).toBeGreaterThan(50);
      const dead = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
      expect(dead.length).toBeGreaterThan(0);
      const haystacks: Array<[string, string]> = [
        ...(await Promise.all(keys.map(async (key): Promise<[string, string]> => [key, (await bucket.get(key)) ?? '']))),
        ...dead.map((m): [string, string] => [`dead letter ${m.MessageId}`, JSON.stringify(m)]),
        ...logger.lines.map((line, i): [string, string] => [`log line ${i}`, line]),
      ];
      const secrets = [...(await secretsOf(fixture, code)), JSON.parse(aws.secretsManager.secrets.get('zoho_auth')?.value ?? '{}').refresh_token];
      expect(hits(haystacks, secrets)).toEqual([]);
    } finally {
      await aws.close();
    }
  });
});

// The client secret in a secret file that lost the quote before it: Node's JSON.parse message quotes the text
// from there ("Unexpected token 'a', ..."_secret": a3f9c2e7d1"...").
const BROKEN = `{\n  "client_id": "1000.TESTCLIENT",\n  "client_secret": ${CLIENT_SECRET}",\n  "code": "1000.x"\n}\n`;

describe('an unreadable secret: the message says where it breaks, never what it holds', () => {
  it('a secret file that is not valid JSON', async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, 'auth.json');
      await writeFile(path, BROKEN, { mode: 0o600 });
      const error = await rejection(new FileSecretStore(path).read());
      for (const piece of PIECES) expect(error.message).not.toContain(piece);
      expect(error.message).toContain('is not valid JSON (at line 3, column 20)');
      const out = capture();
      expect(await main(['run', '--out', join(dir.path, 'reports')], { env: { ZOHO_SECRET_ID: path }, out })).toBe(2);
      for (const piece of PIECES) expect(out.errors.join('\n')).not.toContain(piece);
      expect(out.errors).toEqual([expect.stringContaining('is not valid JSON (at line 3, column 20)')]);
    } finally {
      await dir.remove();
    }
  });

  it('a Secrets Manager secret that is not valid JSON', async () => {
    const standIn = await startSecretsManagerStandIn();
    try {
      // Single quotes, as a hand-written secret might have them.
      const value = `{"client_id": "1000.TESTCLIENT", "client_secret": '${CLIENT_SECRET}'}`;
      standIn.secrets.set('zoho_auth', { value, versionId: 'v1', versions: 1 });
      const client = new SecretsManagerClient({ endpoint: standIn.endpoint, region: REGION, credentials: CREDENTIALS });
      const error = await rejection(new SecretsManagerStore(client, 'zoho_auth').read());
      for (const piece of PIECES) expect(error.message).not.toContain(piece);
      expect(error.message).toContain('is not valid JSON (at line 1, column 51)');
    } finally {
      await standIn.stop();
    }
  });
});
