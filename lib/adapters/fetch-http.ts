import type { HttpClient, HttpResponse } from '../ports.js';

/** A transport failure: the request may or may not have reached Zoho, and no answer came back. */
export class TransportError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransportError';
  }
}

function transportReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The HTTP port over Node's built-in fetch. Redirects are not followed: a Zoho redirect means a wrong host
 * or data centre, and following one could carry the Authorization header somewhere else.
 */
export const fetchHttpClient: HttpClient = async (request) => {
  let response: Response;
  let body: string;
  try {
    const init: RequestInit = {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    };
    if (request.body !== undefined) init.body = request.body;
    response = await fetch(request.url, init);
    // The same timeout covers the body: a response that starts and then stalls is still a timeout.
    body = await response.text();
  } catch (error) {
    throw new TransportError(transportReason(error, request.timeoutMs), {
      cause: error,
    });
  }
  const headers: HttpResponse['headers'] = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return { status: response.status, headers, body };
};
