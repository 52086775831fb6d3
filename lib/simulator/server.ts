import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import * as z from 'zod';
import { admin, readBody } from './admin.js';
import { accessTokenOf, orgIdOf, type SimAnswer } from './desk-api.js';
import { type PortalOptions, Portals } from './portals.js';
import type { Simulator, SimulatorOptions } from './simulator.js';

export interface StartOptions extends SimulatorOptions {
  /** 0 (the default) picks a free port */
  port?: number;
  host?: string;
  /** further portals served on the same port, each with its own org id and OAuth client; they share the first's clock */
  portals?: PortalOptions[];
}

export interface RunningSimulator {
  /** the first portal (sims[0]) */
  sim: Simulator;
  /** every portal served, the first first */
  sims: Simulator[];
  /** base URL; Zoho Accounts and Zoho Desk are both served from it */
  url: string;
  /** for ZOHO_ACCOUNTS_URL */
  accountsUrl: string;
  /** for ZOHO_DESK_URL */
  deskUrl: string;
  stop(): Promise<void>;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

// What a wrong host or data centre gives: an HTML page, not JSON.
const HTML_404 =
  '<!DOCTYPE html><html><head><title>Zoho - 404</title></head><body><h1>404</h1><p>The page you are looking for does not exist.</p></body></html>';
const HTML_503 =
  '<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>';

function send(res: ServerResponse, answer: SimAnswer): void {
  if (res.destroyed) return;
  if (answer.bytes) {
    res.writeHead(answer.status, { 'content-length': String(answer.bytes.byteLength), ...answer.headers });
    res.end(answer.bytes);
    return;
  }
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

async function route(portals: Portals, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const path = url.pathname;
  if (path.startsWith('/_sim/')) return send(res, await admin(portals, req, url));
  if (path === '/oauth/v2/token' && req.method === 'POST') {
    // Zoho takes the fields as a form body; its examples also show them in the query string.
    const form = new URLSearchParams(url.search);
    for (const [key, value] of new URLSearchParams(await readBody(req))) form.set(key, value);
    const answer = portals.forAccounts(form.get('client_id')).accounts.handle(form);
    return send(res, { status: answer.status, json: answer.body });
  }
  if (path.startsWith('/api/v1/') && req.method === 'GET') {
    const sim = portals.forDesk(orgIdOf(req.headers, url.searchParams), accessTokenOf(req.headers));
    return desk(sim, req, res, path.slice('/api/v1'.length), url.searchParams);
  }
  return sendHtml(res, 404, HTML_404);
}

/** Serves the simulated Zoho (Accounts + Desk) on 127.0.0.1: one portal, or several (`options.portals`) on one port. */
export async function startSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  const portals = new Portals(options, options.portals);
  const sim = portals.first;
  const server: Server = createServer((req, res) => {
    // Zoho's clock, not this machine's: clients read it to keep their cursors behind what Zoho has served.
    res.setHeader('Date', new Date(sim.clock.now()).toUTCString());
    route(portals, req, res).catch((error: unknown) => {
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
  // Links in records (an attachment's href) point here, as a real portal's point to its Desk host.
  for (const one of portals.sims) one.portal.deskUrl = url;
  return {
    sim,
    sims: portals.sims,
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
