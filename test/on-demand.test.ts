import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../lib/adapters/fetch-http.js';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { FolderQueue } from '../lib/adapters/folder-queue.js';
import { systemClock } from '../lib/clock.js';
import { FolderObjectStore } from '../lib/adapters/folder-object-store.js';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { writeMatchingSecret } from '../lib/simulator/matching-secret.js';
import { enqueue } from '../lib/cli/enqueue-command.js';
import { openLocalPipeline } from '../lib/cli/local-pipeline.js';
import { main } from '../lib/cli/main.js';
import { EXIT_CODES } from '../lib/cli/output.js';
import { runReports } from '../lib/cli/run-command.js';
import { showStatus } from '../lib/cli/status-command.js';
import { ConfigError, InvalidMessageError } from '../lib/errors.js';
import type { HttpClient } from '../lib/ports.js';
import { routeScope } from '../lib/reports/route.js';
import { ticketThreads } from '../lib/simulator/dataset.js';
import { FAST, contextFor } from './helpers/pipeline.js';
import { fixtures, tempDir } from './helpers/zoho.js';
import { storedRecords } from './helpers/stored.js';
import { rejection } from './helpers/errors.js';

const open = fixtures();

describe('on-demand messages', () => {
  it('fetches any Desk list route with paging, under the route report', async () => {
    const fixture = await open({ simulator: { tickets: 40 } });
    const dir = await tempDir();
    const { portal } = fixture.running.sim;
    const ticket = portal.tickets.find((t) => t.baseThreads >= 3)!;
    const context = contextFor(fixture);
    const code = await enqueue(undefined, { route: `/tickets/${ticket.id}/threads`, param: ['limit=2'], out: dir.path, ...FAST }, context);
    expect(code).toBe(0);
    const keys = (await new FolderObjectStore(dir.path).list('route/')).filter((k) => k.endsWith('.jsonl'));
    // A last page with no records is recorded in its receipt, not stored.
    expect(keys.length).toBe(Math.ceil(ticket.baseThreads / 2));
    expect(keys[0]).toMatch(
      new RegExp(`^route/dt=\\d{4}-\\d\\d-\\d\\d/org=\\d+/run=[^/]+/route=tickets\\.${ticket.id}\\.threads/page-00001\\.jsonl$`),
    );
    expect((await storedRecords(dir.path, 'route')).map((r) => r.id).sort()).toEqual(
      ticketThreads(portal, ticket)
        .map((t) => t.id)
        .sort(),
    );
    await dir.remove();
  });

  it('queues nothing when the secret is missing, and labels each run when earlier messages are processed with its own', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    const context = contextFor(fixture);
    const noSecret = { ...context, env: { ...context.env, ZOHO_SECRET_ID: join(dir.path, 'missing.json') } };
    expect(await rejection(enqueue('agents', { out: dir.path, ...FAST }, noSecret))).toBeInstanceOf(ConfigError);
    const queue = await FolderQueue.open(join(dir.path, '.queue'), { clock: systemClock, maxReceiveCount: 5 });
    expect(await queue.depths()).toMatchObject({ visible: 0, delayed: 0, dead: 0 });
    await queue.close();

    expect(await enqueue('departments', { later: true, out: dir.path, ...FAST }, context)).toBe(0);
    expect(await enqueue('agents', { out: dir.path, ...FAST }, context)).toBe(0);
    const text = context.out.text();
    expect(text).toContain('Also finishing 1 message(s) queued before it');
    const header = text.split('\n').find((line) => line.includes('report') && line.includes('status'))!;
    expect(header).toMatch(/\brun\b.*\breport\b/);
    expect(text).toMatch(/departments[^\n]*complete/);
    expect(text).toMatch(/agents[^\n]*complete/);
    await dir.remove();
  });

  it('makes route exports queryable: one routes table with the route, the query asked and each record', async () => {
    const fixture = await open({ simulator: { tickets: 40 } });
    const dir = await tempDir();
    const { portal } = fixture.running.sim;
    const ticket = portal.tickets.find((t) => t.baseThreads >= 2)!;
    const context = contextFor(fixture);
    expect(await enqueue(undefined, { route: '/tickets', param: ['status=Open', 'limit=7'], out: dir.path, ...FAST }, context)).toBe(0);
    expect(await enqueue(undefined, { route: `/tickets/${ticket.id}/threads`, out: dir.path, ...FAST }, context)).toBe(0);
    const warehouse = await LocalWarehouse.open(dir.path);
    try {
      const { rows } = await warehouse.query(
        "SELECT route, params, count(*), count(DISTINCT id), min(record::JSON->>'status') FROM routes GROUP BY 1, 2 ORDER BY 1",
      );
      const open = portal.tickets.filter((t) => t.status === 'Open').length;
      expect(rows).toEqual([
        ['tickets', 'status=Open', open, open, 'Open'],
        [`tickets.${ticket.id}.threads`, null, ticket.baseThreads, ticket.baseThreads, 'SUCCESS'],
      ]);
    } finally {
      warehouse.close();
    }
    await dir.remove();
  });

  it('stores a route too long for a file name under a short folder of its own, the same every time', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    const long = (tail: string) => `/${'a'.repeat(100)}/${'b'.repeat(100)}/${'c'.repeat(100)}/${'d'.repeat(100)}/${tail}`;
    // Neither the simulator nor this machine serves such a route: this HTTP client stands in for a portal
    // that would, answering it with the simulator's own /departments list (every other call passes through).
    const http: HttpClient = (request) =>
      fetchHttpClient({ ...request, url: request.url.replace(/\/api\/v1\/a{100}\/[^?]*/, '/api/v1/departments') });
    const context = { ...contextFor(fixture), http };
    for (const route of [long('one'), long('two'), long('one')]) {
      expect(await enqueue(undefined, { route, out: dir.path, ...FAST }, context)).toBe(0);
    }
    const keys = (await new FolderObjectStore(dir.path).list('route/')).filter((k) => k.endsWith('.jsonl'));
    const folders = keys.map((key) => key.split('/')[4]!); // route/dt=…/org=…/run=…/<route folder>/
    expect(folders).toHaveLength(3);
    expect(new Set(folders).size).toBe(2); // long('one') twice, in two runs: the same folder
    for (const folder of folders) {
      expect(folder.length).toBeLessThanOrEqual(160);
      expect(folder.startsWith(`route=${'a'.repeat(100)}.${'b'.repeat(13)}`)).toBe(true);
    }
    expect(keys.some((key) => key.includes(routeScope(long('two'))))).toBe(true);
    expect(await storedRecords(dir.path, 'route')).toHaveLength(3 * fixture.running.sim.portal.departments.length);
    // Short routes keep their readable folder.
    expect(routeScope('/tickets/1329983000000425001/threads')).toBe('route=tickets.1329983000000425001.threads/');
    await dir.remove();
  });

  it('runs a report for one parent, and for another portal named by secretId', async () => {
    const fixture = await open({ simulator: { tickets: 20 } });
    const dir = await tempDir();
    // Another portal's secret beside the default one (here the same simulator, with its own grant).
    const eu = new FileSecretStore(join(dirname(fixture.store.path), 'zoho_auth_eu.json'));
    await writeMatchingSecret(fixture.running.sim, eu);
    const ticket = fixture.running.sim.portal.tickets[3]!;
    const context = contextFor(fixture);
    expect(await enqueue('threads', { param: [`ticketId=${ticket.id}`], secretId: 'zoho_auth_eu', out: dir.path, ...FAST }, context)).toBe(0);
    expect((await new FolderObjectStore(dir.path).list('threads/')).filter((k) => k.endsWith('.jsonl'))).toHaveLength(1);
    expect((await eu.read()).refresh_token).toBeDefined();
    expect(fixture.running.sim.stats().codesExchanged).toBe(2);
    await dir.remove();
  });

  it('never reads nor writes a secret outside the secrets folder, whatever secretId a message names', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    // The default secret in <dir>/a/b; a secret that would work, outside that folder, in <dir>/a.
    const secrets = join(dir.path, 'a', 'b');
    const own = new FileSecretStore(join(secrets, 'auth.json'));
    await writeMatchingSecret(fixture.running.sim, own);
    const outside = new FileSecretStore(join(dir.path, 'a', 'x.json'));
    await writeMatchingSecret(fixture.running.sim, outside);
    const before = await readFile(outside.path, 'utf8');
    const out = join(dir.path, 'reports');
    const pipeline = await openLocalPipeline({ out, secret: own.path, ...FAST }, contextFor(fixture));
    // The pipeline's own check, whatever the message parser lets through.
    for (const secretId of ['zoho_auth/../../x', 'zoho_auth/../../../a/x']) {
      expect(await rejection(Promise.resolve().then(() => pipeline.deps.zoho(secretId)))).toBeInstanceOf(InvalidMessageError);
    }
    await pipeline.queue.send(
      ['zoho_auth/../../x', 'zoho_auth/../../../a/x'].map((secretId) => ({ body: JSON.stringify({ report: 'agents', secretId }) })),
    );
    await pipeline.close();
    const context = contextFor(fixture);
    expect(await runReports([], { out, secret: own.path, ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);
    expect(context.out.text()).toContain(
      'A message was dead-lettered as invalid message: secretId must not start with "/" nor contain "." or ".." segments',
    );
    expect(await readFile(outside.path, 'utf8')).toBe(before);
    await dir.remove();
  });

  it('dead-letters a route Zoho does not serve, with its reason, and exits non-zero', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    const ticket = fixture.running.sim.portal.tickets[0]!;
    const context = contextFor(fixture);
    const code = await enqueue(undefined, { route: `/tickets/${ticket.id}/conversations`, out: dir.path, ...FAST }, context);
    expect(code).toBe(EXIT_CODES['dead-lettered']);
    expect(context.out.text()).toContain('Zoho Desk has no GET /tickets/');
    // A route is not in the endpoint table: the message names the scopes to grant, never an empty list.
    expect(context.out.text()).toContain('The route may not exist on this portal or its edition');
    expect(context.out.text()).toContain('Desk.basic.READ,Desk.settings.READ,Desk.tickets.READ');
    expect(context.out.text()).not.toContain('needs .');
    // A 404 is set aside at once, not retried: waiting for Zoho would not help.
    expect(context.out.text()).toContain('set aside, not retried');
    expect(context.out.text()).not.toContain('Once Zoho is healthy');
    const status = contextFor(fixture);
    await showStatus({ out: dir.path, runs: 3 }, status);
    expect(status.out.text()).toContain('1 dead-lettered');
    expect(status.out.text()).toContain('Zoho Desk has no GET /tickets/');
    await dir.remove();
  });

  it('rejects a bad message before queueing it, saying why', async () => {
    const fixture = await open();
    const dir = await tempDir();
    const error = await rejection(enqueue(undefined, { route: 'https://evil.example/api/v1/tickets', out: dir.path }, contextFor(fixture)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('The message was not queued: route must be a path under the Desk API, not an absolute URL.');
    await dir.remove();
  });
});

describe('a poison message on the queue', () => {
  it('goes to the dead-letter queue after one receive with its reason, and stays visible to status', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    const pipeline = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    await pipeline.queue.send([{ body: '{"report":"threads","params":{"ticketId":1329983000000425001}}' }, { body: 'not json' }]);
    await pipeline.close();
    const context = contextFor(fixture);
    expect(await runReports([], { out: dir.path, ...FAST }, context)).toBe(EXIT_CODES['dead-lettered']);
    expect(context.out.text()).toContain('invalid message: params.ticketId is a number that lost precision');
    const reopened = await openLocalPipeline({ out: dir.path }, contextFor(fixture));
    const dead = await reopened.queue.deadLetters();
    await reopened.close();
    expect(dead.map((m) => [m.receiveCount, m.reason]).sort()).toEqual([
      [1, 'invalid message: params.ticketId is a number that lost precision (JSON numbers above 2^53 are rounded): send the id as a string'],
      [1, expect.stringMatching(/^invalid message: the message is not JSON/)],
    ]);
    const status = contextFor(fixture);
    await showStatus({ out: dir.path, runs: 3 }, status);
    expect(status.out.text()).toContain('0 message(s) waiting, 2 dead-lettered');
    expect(status.out.text()).toContain('1 × invalid message: the message is not JSON');
    await dir.remove();
  });
});

describe('the run command line', () => {
  it.each([
    [['run', 'ticketz'], 'There is no report "ticketz". Did you mean "tickets"? Reports: accounts'],
    [['run', 'ticket'], 'There is no report "ticket". Did you mean "tickets"? Reports: accounts'],
    [['run', 'happiness'], 'There is no report "happiness". Did you mean "customer-happiness"? Reports: accounts'],
    [['run', 'zzz'], 'There is no report "zzz". Reports: accounts'],
    [['run', 'agents', '--param', 'ticketId=1'], '--param ticketId: none of the reports run takes it'],
    [['run', 'threads', '--param', 'ticketId=12e5'], '--param ticketId must be the digits of a Zoho id, not "12e5".'],
    [['run', 'agents', '--param', 'status'], '--param status: write it as name=value'],
    [['enqueue'], 'Name a report, or give --route PATH (not both).'],
  ])('%j ends with one line saying what to fix (exit 2)', async (args, message) => {
    const fixture = await open();
    const dir = await tempDir();
    const context = contextFor(fixture);
    expect(await main([...args, '--out', dir.path], context)).toBe(2);
    expect(context.out.errors).toHaveLength(1);
    expect(context.out.errors[0]).toContain(message);
    await dir.remove();
  });

  it("keeps another portal's reports apart in the same folder", async () => {
    const simulated = await open({ simulator: { tickets: 5, seed: 1 } });
    const other = await open({ simulator: { tickets: 5, seed: 2 } });
    const dir = await tempDir();
    expect(await runReports(['departments'], { out: dir.path, ...FAST }, contextFor(simulated))).toBe(0);
    const context = contextFor(other);
    expect(await main(['run', 'departments', '--out', dir.path], context)).toBe(0);
    const days = await readdir(join(dir.path, 'departments'));
    const portals = (await Promise.all(days.map((day) => readdir(join(dir.path, 'departments', day))))).flat().sort();
    expect(portals).toEqual([`org=${simulated.running.sim.orgId}`, `org=${other.running.sim.orgId}`].sort());
    await dir.remove();
  });

  it("never puts the bundled simulator's made-up portal in a folder with a real one's, either way round", async () => {
    const real = await open({ simulator: { tickets: 5, seed: 2 } });
    const simulatedDir = await tempDir();
    const realDir = await tempDir();
    const simulate = contextFor(real);
    expect(await main(['run', 'departments', '--simulate', '--out', simulatedDir.path], simulate)).toBe(0);
    expect(await runReports(['departments'], { out: realDir.path, ...FAST }, contextFor(real))).toBe(0);
    const into = contextFor(real);
    expect(await main(['run', 'departments', '--out', simulatedDir.path], into)).toBe(2);
    expect(into.out.errors[0]).toContain("holds the bundled simulator's made-up portal");
    const back = contextFor(real);
    expect(await main(['run', 'departments', '--simulate', '--out', realDir.path], back)).toBe(2);
    expect(back.out.errors[0]).toContain(`holds your portal ${real.running.sim.orgId}'s reports`);
    await simulatedDir.remove();
    await realDir.remove();
  });

  it('shows the last runs and their manifests in status', async () => {
    const fixture = await open({ simulator: { tickets: 10 } });
    const dir = await tempDir();
    expect(await runReports(['agents', 'departments'], { out: dir.path, ...FAST }, contextFor(fixture))).toBe(0);
    const context = contextFor(fixture);
    await showStatus({ out: dir.path, runs: 3 }, context);
    expect(context.out.text()).toMatch(/Run \d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-[0-9a-f]{4} \(cli, finished/);
    expect(context.out.text()).toMatch(/agents\s+│ complete\s+│ 1\/1/);
    await dir.remove();
  });
});
