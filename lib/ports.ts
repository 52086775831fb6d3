/**
 * The small ports the core talks to. Each has a local adapter and (later) an AWS adapter; the core never
 * imports an SDK client. Adapters are built once and passed in.
 */

/** Wall-clock time and waiting, so tests and the simulator can control time. */
export interface Clock {
  /** milliseconds since the epoch */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  /** lower-case header name → value */
  headers: Record<string, string>;
  body: string;
}

/** Sends one request. Rejects only for transport failures (network, reset, timeout); any status resolves. */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * Where the Zoho credentials live: a JSON object in Secrets Manager, or a file locally.
 * `read` returns the parsed JSON object; `write` replaces it whole.
 */
export interface SecretStore {
  /** For messages: "secret file .zoho/auth.json" or "Secrets Manager secret zoho_auth". Never the contents. */
  readonly description: string;
  read(): Promise<Record<string, unknown>>;
  write(value: Record<string, unknown>): Promise<void>;
}

export type LogFields = Record<string, unknown>;

/** Structured logger, narrowed to what the core uses. */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
