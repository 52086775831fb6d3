import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import * as z from 'zod';
import { changesSchema } from './evolve.js';
import { faultSchema } from './faults.js';
import type { SimAnswer } from './desk-api.js';
import { Simulator, type SimulatorOptions } from './simulator.js';
import { TRUTH_REPORTS } from './truth.js';

export interface StartOptions extends SimulatorOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  host?: string;
}

export interface RunningSimulator {
  sim: Simulator;
  /** base URL; Zoho Accounts and Zoho Desk are both served from it */
  url: string;
  /** for ZOHO_ACCOUNTS_URL */
  accountsUrl: string;
  /** for ZOHO_DESK_URL */
  deskUrl: string;
  stop(): Promise<void>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const MAX_BODY = 64 * 1024;

// What a wrong host or data centre gives: an HTML page, not JSON.
const HTML_404 =
  '<!DOCTYPE html><html><head><title>Zoho - 404</title></head><body><h1>404</h1><p>The page you are looking for does not exist.</p></body></html>';
const HTML_503 =
  '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>';

function send(res: ServerResponse, answer: SimAnswer): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { 'content-type': JSON_TYPE, ...answer.headers };
  res.writeHead(answer.status, headers);
  // Zoho's 204 carries the JSON content-type and no body at all.
  res.end(answer.json === undefined || answer.status === 204 ? undefined : JSON.stringify(answer.json));
}

/** A 200 answer of about `bytes` bytes, streamed in chunks with no Content-Length, as a runaway server sends it. */
async function sendHuge(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': JSON_TYPE });
  const chunk = 'x'.repeat(64 * 1024);
  res.write('{"data":[{"id":"1","pad":"');
  for (let sent = 0; sent < bytes && !res.destroyed; sent += chunk.length) {
    if (!res.write(chunk)) {
      // Whichever comes first, and the other listener removed: a long answer waits many times.
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done).off('close', done);
          resolve();
        };
        res.once('drain', done).once('close', done);
      });
    }
  }
  if (!res.destroyed) res.end('"}]}');
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/html;charset=UTF-8' });
  res.end(html);
}

async function readBody(req: IncomingMessage): Promise<string> {
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

/** Test and benchmark controls, under /_sim/ (the simulator only ever listens on loopback). */
async function admin(sim: Simulator, req: IncomingMessage, url: URL): Promise<SimAnswer> {
  const route = `${req.method} ${url.pathname}`;
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
      sim.advance(body.advanceMs);
      return { status: 200, json: { now: new Date(sim.clock.now()).toISOString() } };
    }
    case 'POST /_sim/advance': {
      const { advanceMs, ...changes } = await jsonBody(req, advanceRequest);
      return { status: 200, json: sim.advance(advanceMs, changes) };
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

async function desk(sim: Simulator, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  sim.deskCalls += 1;
  sim.desk.countCall(path);
  // Zoho counts every call in flight on the portal, other integrations' too, and turns away one more at once, on
  // arrival and without the call's latency (inferred: Zoho documents the 429 and its message, not its timing).
  if (sim.inFlight + sim.faults.faults.otherIntegrationCalls >= sim.concurrencyLimit) {
    sim.concurrencyRejections += 1;
    sim.recordStatus(429);
    return send(res, {
      status: 429,
      json: { errorCode: 'TOO_MANY_REQUESTS', message: 'The maximum number of Concurrent API Calls that can be made has been exceeded.' },
    });
  }
  sim.inFlight += 1;
  sim.maxInFlight = Math.max(sim.maxInFlight, sim.inFlight);
  try {
    const started = Date.now();
    const fault = sim.faults.decide(path);
    const latency = sim.faults.latency() + (fault === 'slow' ? sim.faults.faults.slowMs : 0);
    let answer: SimAnswer | undefined;
    if (fault === 'server-error') {
      answer = {
        status: 500,
        json: { errorCode: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred while performing this operation.' },
      };
    } else if (fault === 'too-many-requests') {
      answer = {
        status: 429,
        json: { errorCode: 'TOO_MANY_REQUESTS', message: 'The maximum number of Concurrent API Calls that can be made has been exceeded.' },
      };
    } else if (fault === 'none' || fault === 'slow') {
      const quirk = sim.faults.quirk(path);
      if (quirk?.kind === 'huge-answer') {
        sim.recordStatus(200);
        return await sendHuge(res, quirk.bytes ?? 40 * 1024 * 1024);
      }
      answer = sim.desk.handle(path, query, req.headers, quirk);
    }
    // The latency is the whole time a call takes, its own work included, as a client sees it.
    const wait = latency - (Date.now() - started);
    if (wait > 0) await delay(wait);
    if (fault === 'reset') {
      sim.recordStatus(0);
      req.socket.destroy();
      return;
    }
    if (fault === 'outage' || !answer) {
      sim.recordStatus(503);
      return sendHtml(res, 503, HTML_503);
    }
    sim.recordStatus(answer.status);
    send(res, answer);
  } finally {
    sim.inFlight -= 1;
  }
}

async function route(sim: Simulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname;
  if (path.startsWith('/_sim/')) return send(res, await admin(sim, req, url));
  if (path === '/oauth/v2/token' && req.method === 'POST') {
    // Zoho takes the fields as a form body; its examples also show them in the query string.
    const form = new URLSearchParams(url.search);
    for (const [key, value] of new URLSearchParams(await readBody(req))) form.set(key, value);
    const answer = sim.accounts.handle(form);
    return send(res, { status: answer.status, json: answer.body });
  }
  if (path.startsWith('/api/v1/') && req.method === 'GET') return desk(sim, req, res, path.slice('/api/v1'.length), url.searchParams);
  return sendHtml(res, 404, HTML_404);
}

/** Serves the simulated Zoho (Accounts + Desk) on 127.0.0.1. */
export async function startSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  const sim = new Simulator(options);
  const server: Server = createServer((req, res) => {
    // Zoho's clock, not this machine's: clients read it to keep their cursors behind what Zoho has served.
    res.setHeader('Date', new Date(sim.clock.now()).toUTCString());
    route(sim, req, res).catch((error: unknown) => {
      const message = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
      send(res, { status: 400, json: { error: message } });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  return {
    sim,
    url,
    accountsUrl: url,
    deskUrl: url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
