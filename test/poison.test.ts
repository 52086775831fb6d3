import { SendMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import { showStatus } from '../lib/cli/status-command.js';
import { buildConsumer } from '../lib/aws/consumer.js';
import { awsFixture, lambdaContext, sqsEvent } from './helpers/aws.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';

const open = fixtures();
const RUN = '2026-11-24T12-00-00Z-4f2a';
const valid = { v: 1, runId: RUN, report: 'threads', params: { ticketId: '1329983000000425001' }, page: 1, from: 1, limit: 100 };
const withField = (field: string, value: unknown) => JSON.stringify({ ...valid, [field]: value });

/** One malformed message, and the words its rejection must contain (the field it names). */
type Case = { body: string; names: string };

/**
 * Malformed messages of every kind, generated: wrong types, missing fields, huge and negative numbers, ids
 * that lost precision as numbers, unknown reports and parameters, routes with .., absolute URLs to other
 * hosts, encoded traversal, oversized bodies, a secretId outside the allowed prefix, and not JSON at all.
 */
const malformed: fc.Arbitrary<Case> = fc.oneof(
  fc
    .oneof(fc.integer({ max: 0 }), fc.double({ min: 1.1, max: 9, noInteger: true }), fc.constant(1e15))
    .map((page) => ({ body: withField('page', page), names: 'page' })),
  fc.oneof(fc.string(), fc.boolean(), fc.constant(null)).map((page) => ({ body: withField('page', page), names: 'page' })),
  fc.integer({ max: -1 }).map((from) => ({ body: withField('from', from), names: 'from' })),
  fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 101, max: 1e9 })).map((limit) => ({ body: withField('limit', limit), names: 'limit' })),
  fc.constantFrom('page', 'from', 'limit', 'runId').map((field) => ({ body: JSON.stringify({ ...valid, [field]: undefined }), names: field })),
  fc.integer({ min: 2, max: 99 }).map((v) => ({ body: withField('v', v), names: 'v' })),
  fc.string({ minLength: 1 }).map((runId) => ({ body: withField('runId', runId), names: 'runId' })),
  fc
    .stringMatching(/^[a-z][a-z-]{2,20}$/)
    .filter((r) => !['tickets', 'threads', 'agents', 'accounts', 'contacts', 'calls', 'departments', 'queue', 'route'].includes(r))
    .map((report) => ({ body: withField('report', report), names: 'report' })),
  fc
    .bigInt({ min: 2n ** 53n + 1n, max: 10n ** 19n })
    .map((id) => ({ body: `{"report":"threads","params":{"ticketId":${id}}}`, names: 'params.ticketId' })),
  fc
    .stringMatching(/^[a-zA-Z]{2,12}$/)
    .filter((p) => p !== 'ticketId')
    .map((param) => ({ body: JSON.stringify({ report: 'threads', params: { [param]: '1' } }), names: `params.${param}` })),
  fc
    .constantFrom('/tickets/../oauth/v2/token', '/../../etc/passwd', '/tickets/./x', '/a/../../b')
    .map((route) => ({ body: JSON.stringify({ route }), names: 'route' })),
  fc.webUrl().map((route) => ({ body: JSON.stringify({ route }), names: 'route' })),
  fc.constantFrom('%2e%2e', '%2F', '%252e', '%00').map((bit) => ({ body: JSON.stringify({ route: `/tickets/${bit}/threads` }), names: 'route' })),
  fc
    .stringMatching(/^[a-z_]{3,20}$/)
    .filter((s) => !s.startsWith('zoho_auth'))
    .map((secretId) => ({ body: JSON.stringify({ report: 'tickets', secretId }), names: 'secretId' })),
  fc
    .integer({ min: 270_000, max: 400_000 })
    .map((size) => ({ body: JSON.stringify({ report: 'tickets', params: { since: 'x'.repeat(size) } }), names: 'bytes' })),
  fc
    .string({ minLength: 1 })
    .filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    })
    .map((text) => ({ body: text, names: 'not JSON' })),
);

const cases = fc.sample(malformed, { numRuns: 60, seed: 20261125 });

describe('malformed messages (60, generated)', () => {
  it('on this machine: each is dead-lettered at its first receive with a reason naming the field, and status shows them all', async () => {
    const fixture = await open({ simulator: { tickets: 5 } });
    const dir = await tempDir();
    const pipeline = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    await pipeline.queue.send(cases.map((c) => ({ body: c.body })));
    await pipeline.close();

    const context = contextFor(fixture);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);
    const reopened = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    const dead = await reopened.queue.deadLetters();
    await reopened.close();
    expect(dead).toHaveLength(60);
    for (const message of dead) {
      const expected = cases.find((c) => c.body === message.body);
      expect(message.receiveCount, message.body.slice(0, 80)).toBe(1);
      expect(message.reason, message.body.slice(0, 80)).toMatch(/^invalid message: /);
      expect(message.reason).toContain(expected?.names);
    }
    const status = contextFor(fixture);
    await showStatus({ out: dir.path, runs: 1 }, status);
    expect(status.out.text()).toContain('0 message(s) waiting, 60 dead-lettered');
    await dir.remove();
  });

  it('on AWS: each goes straight to the dead-letter queue with its reason as an attribute, none reported failed', async () => {
    const fixture = await open({ simulator: { tickets: 5 } });
    const aws = await awsFixture(fixture);
    try {
      for (const c of cases) {
        // SQS itself refuses bodies over 256 KiB; those never reach the consumer.
        if (Buffer.byteLength(c.body) > 256 * 1024) continue;
        await aws.clients.sqs.send(new SendMessageCommand({ QueueUrl: aws.config.WORK_QUEUE_URL, MessageBody: c.body }));
      }
      const sent = cases.filter((c) => Buffer.byteLength(c.body) <= 256 * 1024);
      const handler = buildConsumer(aws.deps(), { concurrency: 5 });
      const messages = await aws.drainQueue(aws.config.WORK_QUEUE_URL);
      expect(messages).toHaveLength(sent.length);
      for (let i = 0; i < messages.length; i += 10) {
        expect(await handler(sqsEvent(messages.slice(i, i + 10)), lambdaContext())).toStrictEqual({ batchItemFailures: [] });
      }
      const dead = await aws.drainQueue(aws.config.DEAD_LETTER_QUEUE_URL);
      expect(dead).toHaveLength(sent.length);
      for (const message of dead) {
        const expected = sent.find((c) => c.body === message.Body);
        expect(message.MessageAttributes?.reason?.StringValue).toContain(expected?.names);
      }
    } finally {
      await aws.close();
    }
  });
});
