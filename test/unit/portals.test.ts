import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { GroupedEntries, type Entry } from '../../lib/adapters/queue-entries.js';
import { loadAwsConfig, portalQueuesOf, portalsOf } from '../../lib/aws/config.js';
import { ConfigError, InvalidMessageError } from '../../lib/errors.js';
import { bodyOfPortal, pageMessageBody, parseMessage, type PageMessage } from '../../lib/pipeline/messages.js';
import { refusal } from '../helpers/errors.js';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: CommonJS for osls, untyped; a wrong path fails the test
const { portalStack } = require('../../deploy/portals.cjs') as { portalStack: (params: Record<string, unknown>) => any };

// Portals, in the pure parts: the page message's org id, which messages are a portal's, the portals the schedule
// runs, and the queue taking portals in turn.

const RUN = '2026-11-24T12-00-00Z-4f2a';
const page: PageMessage = { kind: 'page', runId: RUN, report: 'agents', params: {}, page: 1, from: 1, limit: 100, chain: true };

describe('a page message names its portal', () => {
  it('round-trips the org id as text, and refuses one that is not digits', () => {
    const body = pageMessageBody({ ...page, orgId: '7516846770000000001234' });
    expect(parseMessage(body, { secretPrefix: 'zoho_auth' })).toMatchObject({ orgId: '7516846770000000001234' });
    const bad = JSON.stringify({ ...JSON.parse(body), orgId: 751684677 });
    expect(refusal(() => parseMessage(bad, { secretPrefix: 'zoho_auth' }), InvalidMessageError)).toContain('orgId must be a Zoho org id');
  });

  it("is a portal's by its org id or its secretId; one naming neither is the default secret's", () => {
    const eu = pageMessageBody({ ...page, orgId: '20001', secretId: 'zoho_auth_eu' });
    const home = pageMessageBody({ ...page, orgId: '10001' });
    expect(bodyOfPortal(eu, '20001')).toBe(true);
    expect(bodyOfPortal(eu, 'zoho_auth_eu')).toBe(true);
    expect(bodyOfPortal(eu, '10001')).toBe(false);
    expect(bodyOfPortal(home, 'zoho_auth', 'zoho_auth')).toBe(true);
    expect(bodyOfPortal('not json', '10001')).toBe(false);
  });
});

describe('the portals the schedule runs', () => {
  const env = { WORK_QUEUE_URL: 'https://sqs.example/q', DEAD_LETTER_QUEUE_URL: 'https://sqs.example/d', REPORTS_BUCKET: 'zoho-reports-1' };

  it('are the listed secret ids, each once, the default one left out', () => {
    const config = loadAwsConfig({ ...env, PORTALS: ' zoho_auth_eu, zoho_auth,zoho_auth_eu ,,zoho_auth_client2' });
    expect(portalsOf(config)).toEqual(['zoho_auth_eu', 'zoho_auth_client2']);
    expect(portalsOf(loadAwsConfig(env))).toEqual([]);
  });

  it('may carry the calls each edition allows, which the deployment uses and the schedule leaves aside', () => {
    const config = loadAwsConfig({ ...env, PORTALS: 'zoho_auth_eu:15,zoho_auth_client2' });
    expect(portalsOf(config)).toEqual(['zoho_auth_eu', 'zoho_auth_client2']);
  });

  it('have their own queues from PORTAL_QUEUES, secretId=URL; a malformed entry stops the cold start', () => {
    const config = loadAwsConfig({ ...env, PORTAL_QUEUES: 'zoho_auth_eu=https://sqs.example/eu,zoho_auth/b.2=https://sqs.example/b' });
    expect([...portalQueuesOf(config)]).toEqual([
      ['zoho_auth_eu', 'https://sqs.example/eu'],
      ['zoho_auth/b.2', 'https://sqs.example/b'],
    ]);
    expect(portalQueuesOf(loadAwsConfig(env)).size).toBe(0);
    expect(refusal(() => loadAwsConfig({ ...env, PORTAL_QUEUES: 'zoho_auth_eu' }), ConfigError)).toBe(
      'Lambda configuration: PORTAL_QUEUES has "zoho_auth_eu": each entry must be secretId=queue URL (serverless.yml sets it; redeploy).',
    );
  });

  it('must lie under the prefix the deployment may read', () => {
    expect(refusal(() => loadAwsConfig({ ...env, PORTALS: 'zoho_auth_eu,prod_database' }), ConfigError)).toContain(
      'PORTALS (the portals parameter) lists "prod_database": each must be a secret name starting with SECRET_PREFIX (zoho_auth)',
    );
  });
});

describe("the deployment's portal queues (deploy/portals.cjs, which serverless.yml reads)", () => {
  const params = { portals: '', secretId: 'zoho_auth', service: 'zoho-desk-reports', stage: 'prod', zohoConcurrency: 5, runDeadlineSeconds: 14400 };
  const queueNames = (stack: { resources: { Resources: Record<string, { Properties: { QueueName: string } }> } }) =>
    Object.values(stack.resources.Resources).flatMap((queue) => queue.Properties.QueueName ?? []);

  it('with no further portal: the work queue alone, at zohoConcurrency', () => {
    const stack = portalStack(params);
    expect(stack.resources).toEqual({ Resources: {}, Outputs: {} });
    expect(stack.consumerEvents).toEqual([expect.objectContaining({ sqs: expect.objectContaining({ maximumConcurrency: 5 }) })]);
    expect(stack.queueUrls).toBe('');
  });

  it('gives each further portal a queue read with its own calls (5 unless given), named the same wherever it is listed', () => {
    const one = portalStack({ ...params, portals: 'zoho_auth_eu:15, zoho_auth_client2,zoho_auth:25' });
    const two = portalStack({ ...params, portals: 'zoho_auth_client2,zoho_auth_eu:15' });
    expect(one.portals.map((p: { secretId: string; calls: number }) => [p.secretId, p.calls])).toEqual([
      ['zoho_auth_eu', 15],
      ['zoho_auth_client2', 5],
    ]);
    expect(one.consumerEvents.map((e: { sqs: { maximumConcurrency: number } }) => e.sqs.maximumConcurrency)).toEqual([5, 15, 5]);
    expect(Object.keys(one.resources.Resources).sort()).toEqual(Object.keys(two.resources.Resources).sort());
    expect(queueNames(one)).toEqual(['zoho-desk-reports-prod-work-zoho_auth_eu', 'zoho-desk-reports-prod-work-zoho_auth_client2']);
    expect(one.redriveAllowPolicy.sourceQueueArns).toHaveLength(4);
  });

  it('names a queue by a hash where the secret name cannot be a queue name, so two such never collide', () => {
    const stack = portalStack({ ...params, portals: 'zoho_auth.eu,zoho_auth/eu' });
    const names = queueNames(stack);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^zoho-desk-reports-prod-work-[0-9a-f]{8}$/);
    // A long service and stage name leaves the hash whole, within SQS's 80 characters.
    const long = portalStack({ ...params, stage: 'x'.repeat(70), portals: 'zoho_auth.eu' });
    expect(queueNames(long)[0]).toMatch(/^zoho-desk-reports-x+-work-[0-9a-f]{8}$/);
    expect(queueNames(long)[0]!.length).toBe(80);
  });

  it("lets any queue of the account dead-letter into it past SQS's ten named source queues (more than eight portals)", () => {
    const portals = (n: number) => Array.from({ length: n }, (_, i) => `zoho_auth_${i}`).join(',');
    expect(portalStack({ ...params, portals: portals(8) }).redriveAllowPolicy.sourceQueueArns).toHaveLength(10);
    expect(portalStack({ ...params, portals: portals(9) }).redriveAllowPolicy).toEqual({ redrivePermission: 'allowAll' });
  });

  it('refuses a malformed entry or calls Lambda cannot cap, saying how to write it', () => {
    for (const portals of ['zoho_auth_eu:1', 'zoho_auth_eu:30', 'zoho_auth_eu:ten', 'zoho auth']) {
      expect(() => portalStack({ ...params, portals })).toThrow(/write each portal as its secret id, optionally followed by the Zoho calls/);
    }
    expect(() => portalStack({ ...params, zohoConcurrency: Number('ten') })).toThrow(/zohoConcurrency parameter must be a whole number of calls/);
    expect(() => portalStack({ ...params, runDeadlineSeconds: Number('4h') })).toThrow(/runDeadlineSeconds parameter must be a whole number/);
    const many = Array.from({ length: 21 }, (_, i) => `zoho_auth_${i}`).join(',');
    expect(() => portalStack({ ...params, portals: many })).toThrow(/more than 20 portals: the Lambdas' environment \(4 KB/);
    // Outside the prefix the Lambdas may read: refused when packaging, not at every cold start after deploying.
    expect(() => portalStack({ ...params, secretPrefix: 'zoho_auth', portals: 'zoho_auth_eu,prod_db' })).toThrow(
      'The portals parameter lists "prod_db": each must be a secret name starting with secretPrefix (zoho_auth).',
    );
  });
});

describe("the queue's groups", () => {
  const entry = (id: string, group: string, visibleAt = 0, first = false): Entry => ({
    id,
    group,
    receiveCount: 0,
    visibleAt,
    handle: undefined,
    first,
    received: undefined,
  });

  it('takes the groups in turn, skips what is not visible, and keeps to each group’s room', () => {
    const entries = new GroupedEntries();
    for (let i = 0; i < 6; i += 1) entries.set(entry(`a${i}`, 'a', i === 0 ? 99 : 0));
    entries.set(entry('b0', 'b'));
    const ids = (taken: Entry[]) => taken.map((e) => e.id);
    expect(ids(entries.visible(4, 10))).toEqual(['a1', 'b0', 'a2', 'a3']);
    expect(ids(entries.visible(4, 10, (group) => (group === 'a' ? 1 : 5)))).toEqual(expect.arrayContaining(['a1', 'b0']));
    expect(entries.visible(4, 10, (group) => (group === 'a' ? 1 : 5))).toHaveLength(2);
    entries.delete(entries.get('b0') as Entry);
    expect(ids(entries.visible(10, 10, (group) => (group === 'b' ? 5 : 0)))).toEqual([]);
  });

  it('takes the messages sent to go first before the rest of their group, each kind in the order sent', () => {
    const entries = new GroupedEntries();
    for (let i = 0; i < 3; i += 1) entries.set(entry(`a${i}`, 'a'));
    entries.set(entry('f0', 'a', 0, true));
    entries.set(entry('f1', 'a', 0, true));
    expect(entries.visible(4, 10).map((e) => e.id)).toEqual(['f0', 'f1', 'a0', 'a1']);
    entries.delete(entries.get('f0') as Entry);
    expect(entries.visible(2, 10).map((e) => e.id)).toEqual(['f1', 'a0']);
  });
});
