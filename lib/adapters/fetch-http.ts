import { ResponseTooLargeError, type HttpClient, type HttpResponse } from '../ports.js';

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
 * The body's chunks, read one by one so an answer over `maxBytes` is dropped as soon as it is seen to be (by
 * its Content-Length, or by counting), never held whole in memory.
 */
async function readChunks(response: Response, maxBytes: number | undefined): Promise<Uint8Array[]> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (maxBytes !== undefined && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(maxBytes, declared);
  }
  if (!response.body) return [];
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (maxBytes !== undefined && bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(maxBytes, bytes);
    }
    chunks.push(value);
  }
  return chunks;
}

/** The body as text, or as bytes for a binary request. */
async function readBody(response: Response, maxBytes: number | undefined, binary: boolean): Promise<{ body: string; bytes?: Uint8Array }> {
  const chunks = await readChunks(response, maxBytes);
  if (binary) return { body: '', bytes: Buffer.concat(chunks) };
  const decoder = new TextDecoder('utf-8');
  return { body: chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode() };
}

/**
 * The HTTP port over Node's built-in fetch. Redirects are not followed: a Zoho redirect means a wrong host
 * or data centre, and following one could carry the Authorization header somewhere else.
 */
export const fetchHttpClient: HttpClient = async (request) => {
  let response: Response;
  let body: { body: string; bytes?: Uint8Array };
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
    body = await readBody(response, request.maxBytes, request.binary === true);
  } catch (error) {
    if (error instanceof ResponseTooLargeError) throw error;
    throw new TransportError(transportReason(error, request.timeoutMs), {
      cause: error,
    });
  }
  const headers: HttpResponse['headers'] = {};
  response.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return { status: response.status, headers, ...body };
};
