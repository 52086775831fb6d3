import type { IncomingMessage } from 'node:http';
import * as z from 'zod';
import type { SimAnswer } from './desk-api.js';
import { changesSchema } from './evolve.js';
import { faultSchema } from './faults.js';
import type { Portals } from './portals.js';
import { TRUTH_REPORTS } from './truth.js';

const MAX_BODY = 64 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function jsonBody<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  const text = await readBody(req);
  return schema.parse(text.trim() ? JSON.parse(text) : {});
}

const codeRequest = z.object({ scopes: z.array(z.string()).optional(), lifetimeMs: z.number().int().positive().optional() }).strict();
const clockRequest = z.object({ advanceMs: z.number().int().min(0) }).strict();
const creditsRequest = z.object({ remaining: z.number().int().min(0) }).strict();
const advanceRequest = changesSchema.extend({ advanceMs: z.number().int().min(0).default(0) });

/**
 * Test and benchmark controls, under /_sim/ (the simulator only ever listens on loopback). `?org=<orgId>` picks the
 * portal a control acts on (default: the first); the clock is every portal's, whichever moves it.
 */
export async function admin(portals: Portals, req: IncomingMessage, url: URL): Promise<SimAnswer> {
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /_sim/portals') return { status: 200, json: portals.list() };
  const org = url.searchParams.get('org');
  const sim = org === null ? portals.first : portals.byOrg(org);
  if (!sim) {
    const known = portals.sims.map((s) => s.orgId).join(', ');
    return { status: 404, json: { error: `no portal has org id "${org}": the org ids are ${known}` } };
  }
  switch (route) {
    case 'GET /_sim/stats':
      return { status: 200, json: sim.stats() };
    case 'GET /_sim/portal':
      return {
        status: 200,
        json: { orgId: sim.orgId, edition: sim.portal.org.edition, clientId: sim.accounts.clientId, now: new Date(sim.clock.now()).toISOString() },
      };
    case 'POST /_sim/codes': {
      const body = await jsonBody(req, codeRequest);
      return { status: 200, json: { code: sim.issueGrantCode(body.scopes, body.lifetimeMs) } };
    }
    case 'POST /_sim/faults':
      return { status: 200, json: sim.setFaults(await jsonBody(req, faultSchema.partial())) };
    case 'POST /_sim/clock': {
      const body = await jsonBody(req, clockRequest);
      portals.advance(sim, body.advanceMs);
      return { status: 200, json: { now: new Date(sim.clock.now()).toISOString() } };
    }
    case 'POST /_sim/advance': {
      const { advanceMs, ...changes } = await jsonBody(req, advanceRequest);
      return { status: 200, json: portals.advance(sim, advanceMs, changes) };
    }
    case 'GET /_sim/records': {
      const report = url.searchParams.get('report') ?? '';
      if (!TRUTH_REPORTS.includes(report))
        return { status: 404, json: { error: `unknown report "${report}": use one of ${TRUTH_REPORTS.join(', ')}` } };
      return { status: 200, json: sim.currentRecords(report) };
    }
    case 'POST /_sim/credits':
      sim.credits.setRemaining((await jsonBody(req, creditsRequest)).remaining);
      return { status: 200, json: { remaining: sim.credits.remaining } };
    case 'POST /_sim/revoke':
      sim.accounts.revokeAllRefreshTokens();
      return { status: 200, json: { revoked: true } };
    case 'POST /_sim/reset-stats':
      sim.resetStats();
      return { status: 200, json: sim.stats() };
    default:
      return { status: 404, json: { error: `no simulator control ${route}` } };
  }
}
