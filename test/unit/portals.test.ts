import { describe, expect, it } from 'vitest';
import { GroupedEntries, type Entry } from '../../lib/adapters/queue-entries.js';
import { loadAwsConfig, portalsOf } from '../../lib/aws/config.js';
import { ConfigError, InvalidMessageError } from '../../lib/errors.js';
import { bodyOfPortal, pageMessageBody, parseMessage, type PageMessage } from '../../lib/pipeline/messages.js';
import { refusal } from '../helpers/errors.js';

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

  it('must lie under the prefix the deployment may read', () => {
    expect(refusal(() => loadAwsConfig({ ...env, PORTALS: 'zoho_auth_eu,prod_database' }), ConfigError)).toContain(
      'PORTALS (the portals parameter) lists "prod_database": each must be a secret name starting with SECRET_PREFIX (zoho_auth)',
    );
  });
});

describe("the queue's groups", () => {
  const entry = (id: string, group: string, visibleAt = 0): Entry => ({
    id,
    group,
    receiveCount: 0,
    visibleAt,
    handle: undefined,
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
});
