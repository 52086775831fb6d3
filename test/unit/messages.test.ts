import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../../lib/errors.js';
import { parseMessage } from '../../lib/pipeline/messages.js';
import { REPORT_IDS } from '../../lib/reports/catalog.js';
import { closestName } from '../../lib/reports/suggest.js';
import { refusal } from '../helpers/errors.js';

const options = { secretPrefix: 'zoho_auth' };
const RUN = '2026-11-24T12-00-00Z-4f2a';
const page = (fields: Record<string, unknown>) =>
  JSON.stringify({ v: 1, runId: RUN, report: 'tickets', params: {}, page: 1, from: 1, limit: 100, ...fields });

const reason = (body: string) => refusal(() => parseMessage(body, options), InvalidMessageError);

describe('valid messages', () => {
  it('accepts the three forms of design.md §3', () => {
    expect(parseMessage('{"report":"threads","params":{"ticketId":"1329983000000425001"}}', options)).toEqual({
      kind: 'on-demand',
      report: 'threads',
      params: { ticketId: '1329983000000425001' },
    });
    expect(parseMessage('{"route":"/tickets/1329983000000425001/threads","params":{"limit":"50"},"secretId":"zoho_auth_eu"}', options)).toEqual({
      kind: 'on-demand',
      report: 'route',
      route: '/tickets/1329983000000425001/threads',
      params: { limit: '50' },
      secretId: 'zoho_auth_eu',
    });
    expect(parseMessage(`{ "v": 1, "runId": "${RUN}", "report": "tickets", "params": {}, "page": 3, "from": 200, "limit": 100 }`, options)).toEqual({
      kind: 'page',
      report: 'tickets',
      params: {},
      runId: RUN,
      page: 3,
      from: 200,
      limit: 100,
      chain: false,
    });
  });

  it('takes a Secrets Manager name with "/" in it (zoho_auth/eu)', () => {
    expect(parseMessage('{"report":"agents","secretId":"zoho_auth/eu.prod"}', options)).toMatchObject({ secretId: 'zoho_auth/eu.prod' });
  });

  it('takes a route with the /api/v1 base written out, and a trailing slash', () => {
    expect(parseMessage('{"route":"/api/v1/tickets/"}', options)).toMatchObject({ route: '/tickets' });
  });
});

describe('every bad message is rejected with a reason that names the field', () => {
  const longId = '{"report":"threads","params":{"ticketId":1329983000000425001}}';
  it.each([
    ['not JSON', '{report:', /^the message is not JSON \(/],
    ['an array', '[]', 'the message must be a JSON object'],
    ['null', 'null', 'the message must be a JSON object'],
    ['neither report nor route', '{}', 'the message needs "report" (a report id) or "route" (a Desk path)'],
    [
      'an unknown report',
      '{"report":"ticketz"}',
      /^report "ticketz" does not exist; did you mean "tickets"\? \(reports: accounts, agents, .*, tickets, or use "route"\)$/,
    ],
    ['an unknown report like none', '{"report":"zzz"}', /^report "zzz" does not exist \(reports: accounts, agents, .*, tickets, or use "route"\)$/],
    ['a report that is not a string', '{"report":7}', 'report must be a string'],
    ['an unknown field', '{"report":"tickets","pages":3}', /^"pages" is not a message field \(fields: report, route, params, secretId, v, runId/],
    ['report and route', '{"report":"tickets","route":"/tickets"}', 'give either "report" or "route", not both'],
    ['params that are not an object', '{"report":"agents","params":"ACTIVE"}', 'params must be an object of strings'],
    ['an unknown parameter', '{"report":"accounts","params":{"x":"1"}}', 'params.x is not a parameter of report accounts (it takes none)'],
    [
      'a parameter another report takes',
      '{"report":"agents","params":{"ticketId":"1"}}',
      'params.ticketId is not a parameter of report agents (it takes status)',
    ],
    ['a parameter of the wrong type', '{"report":"threads","params":{"ticketId":true}}', 'params.ticketId must be a string, not boolean'],
    ['a null parameter', '{"report":"threads","params":{"ticketId":null}}', 'params.ticketId must be a string, not null'],
    [
      'a numeric id that lost precision',
      longId,
      'params.ticketId is a number that lost precision (JSON numbers above 2^53 are rounded): send the id as a string',
    ],
    [
      'a numeric id that is still exact',
      '{"report":"threads","params":{"ticketId":12345}}',
      'params.ticketId must be a string ("12345"), not a number',
    ],
    ['an id that is not digits', '{"report":"threads","params":{"ticketId":"12e5"}}', 'params.ticketId must be the digits of a Zoho id, not "12e5"'],
    ['a status outside the enum', '{"report":"agents","params":{"status":"active"}}', 'params.status must be ACTIVE or DISABLED, not "active"'],
    [
      'a time that is not ISO',
      '{"report":"tickets","params":{"since":"yesterday"}}',
      'params.since must be an ISO time such as 2026-11-01T00:00:00Z, not "yesterday"',
    ],
    ['a negative page', page({ page: -1 }), 'page must be a whole number from 1 to 1000000, not -1'],
    ['a page of zero', page({ page: 0 }), 'page must be a whole number from 1 to 1000000, not 0'],
    ['a fractional page', page({ page: 1.5 }), 'page must be a whole number from 1 to 1000000, not 1.5'],
    ['a huge page', page({ page: 1e12 }), 'page must be a whole number from 1 to 1000000, not 1000000000000'],
    ['a page given as a string', page({ page: '3' }), 'page must be a number, not the string "3"'],
    ['a negative from', page({ from: -5 }), 'from must be a whole number from 0 to 100000000, not -5'],
    ['a limit above the endpoint maximum', page({ limit: 101 }), 'limit must be a whole number from 1 to 100, not 101'],
    ['a limit of zero', page({ limit: 0 }), 'limit must be a whole number from 1 to 100, not 0'],
    ['a missing limit', page({ limit: undefined }), 'limit is missing (a page message needs v, runId, page, from and limit)'],
    ['another version', page({ v: 2 }), 'v must be 1, not 2'],
    ['a malformed run id', page({ runId: '../../etc' }), 'runId must look like 2026-11-24T12-00-00Z-4f2a'],
    ['a chain flag that is not a boolean', page({ chain: 'yes' }), 'chain must be true or false'],
    ['a fanned-out page without its parent', page({ report: 'threads' }), 'params.ticketId is required on a page of report threads'],
    [
      'a since-window without its end',
      page({ params: { since: '2026-11-01T00:00:00Z' } }),
      'params.until is required with params.since on a page message, so every page reads the same window',
    ],
    [
      'a route that is an absolute URL',
      '{"route":"https://evil.example/api/v1/tickets"}',
      'route must be a path under the Desk API, not an absolute URL',
    ],
    ['a protocol-relative route', '{"route":"//evil.example/tickets"}', 'route must be a path under the Desk API, not an absolute URL'],
    ['a route with ..', '{"route":"/tickets/../../oauth/v2/token"}', 'route must not contain "." or ".." segments'],
    [
      'a route with encoded traversal',
      '{"route":"/tickets/%2e%2e/%2e%2e/secrets"}',
      'route must not be percent-encoded (an encoded "/" or ".." could leave the API)',
    ],
    ['a route with a query string', '{"route":"/tickets?limit=5"}', 'route must not carry a query string: put query parameters in "params"'],
    [
      'a route outside /api/v1',
      '{"route":"/api/v2/tickets"}',
      'route is outside /api/v1, the Desk API base: give the path after it, e.g. "/tickets"',
    ],
    ['a route without a leading slash', '{"route":"tickets"}', 'route must start with "/", e.g. "/tickets"'],
    ['a route with a backslash', '{"route":"/tickets\\\\..\\\\x"}', 'route must not contain backslashes, spaces or control characters'],
    ['a route with a bad id', '{"route":"/tickets/abc/threads"}', 'route: ticketId must be the digits of a Zoho id, not "abc"'],
    ['a route that is not a string', '{"route":["/tickets"]}', 'route must be a path such as "/tickets/1329983000000425001/threads"'],
    ['a route param named from', '{"route":"/tickets","params":{"from":"100"}}', 'params.from is set by the pipeline, page by page'],
    ['a route param named orgId', '{"route":"/tickets","params":{"orgId":"1"}}', "params.orgId comes from the secret's org_id, not the message"],
    [
      'a route param the endpoint does not declare',
      '{"route":"/tickets","params":{"modifiedTimeRange":"x"}}',
      /^params\.modifiedTimeRange is not accepted by GET \/tickets \(Zoho answers 422\); it accepts include, departmentId/,
    ],
    ['a route page size out of range', '{"route":"/accounts","params":{"limit":"100"}}', 'params.limit must be a whole number from 1 to 99'],
    [
      'a secretId outside the allowed prefix',
      '{"report":"tickets","secretId":"prod_db_password"}',
      'secretId must start with "zoho_auth", the prefix this deployment may read',
    ],
    [
      'a secretId with odd characters',
      '{"report":"tickets","secretId":"zoho_auth\\n"}',
      'secretId must be a secret name of letters, digits and _+=.@/-',
    ],
    [
      'a secretId that climbs out of its folder',
      '{"report":"tickets","secretId":"zoho_auth/../../x"}',
      'secretId must not start with "/" nor contain "." or ".." segments',
    ],
    [
      'a secretId ending in ..',
      '{"report":"tickets","secretId":"zoho_auth/.."}',
      'secretId must not start with "/" nor contain "." or ".." segments',
    ],
    [
      'a secretId with a . segment',
      '{"report":"tickets","secretId":"zoho_auth/./eu"}',
      'secretId must not start with "/" nor contain "." or ".." segments',
    ],
  ])('%s', (_, body, expected) => {
    const message = reason(body);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });

  it('an on-demand message with a parameter only the planner sets (a window, a page start)', () => {
    expect(reason(JSON.stringify({ report: 'contacts', params: { createdFrom: '2026-01-01T00:00:00Z' } }))).toBe(
      'params.createdFrom is set by the planner on the pages it plans, not by an on-demand message',
    );
  });

  it('an oversized message', () => {
    const body = JSON.stringify({ report: 'tickets', params: { since: 'x'.repeat(300_000) } });
    expect(reason(body)).toBe(`the message is ${Buffer.byteLength(body)} bytes; the limit is 262144 (256 KiB)`);
  });

  it('never fails any other way, whatever JSON arrives (fuzzed)', () => {
    const value = fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.integer(), fc.string(), fc.boolean());
    const message = fc.record(
      {
        v: value,
        runId: fc.oneof(fc.constant(RUN), fc.string()),
        report: fc.oneof(fc.constantFrom('tickets', 'threads', 'route', 'x'), value),
        route: value,
        params: fc.oneof(fc.dictionary(fc.string(), value), value),
        page: value,
        from: value,
        limit: value,
        chain: value,
        secretId: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(message, (fields) => {
        try {
          parseMessage(JSON.stringify(fields), options);
        } catch (error) {
          if (!(error instanceof InvalidMessageError)) throw error;
          expect(error.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('Function: closestName()', () => {
  it.each([
    ['ticket', 'tickets'],
    ['Tickets', 'tickets'],
    ['thread', 'threads'],
    ['agent-time-entry', 'agent-time-entries'],
    ['happiness', 'customer-happiness'],
    ['zzz', undefined],
    ['ticket-', 'tickets'],
  ])('suggests %j → %j', (typed, expected) => {
    // Act
    const suggestion = closestName(typed, REPORT_IDS);
    // Assess
    expect(suggestion).toBe(expected);
  });
});
