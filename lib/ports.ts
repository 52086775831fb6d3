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
  /** refuse an answer whose body is larger than this many bytes, without reading it whole */
  maxBytes?: number;
  /** the body is a file: keep its bytes (`bytes`) rather than decode it as text */
  binary?: boolean;
}

export interface HttpResponse {
  status: number;
  /** lower-case header name → value */
  headers: Record<string, string>;
  /** the body as text; '' when the request asked for `binary` */
  body: string;
  /** the body's bytes, when the request asked for `binary` */
  bytes?: Uint8Array;
}

/**
 * Sends one request. Rejects only for transport failures (network, reset, timeout) and with
 * `ResponseTooLargeError` for a body over `maxBytes`; any status resolves.
 */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/** The answer's body was larger than the request's `maxBytes`: it was dropped, not read whole. */
export class ResponseTooLargeError extends Error {
  constructor(
    readonly maxBytes: number,
    /** bytes seen before stopping, or the declared Content-Length */
    readonly bytes: number,
  ) {
    super(`the answer is larger than ${maxBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

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

export interface PutOptions {
  /**
   * A raw page of a report read in full every run, which the bucket's lifecycle rule removes once old (the
   * hourly compaction holds what the views need of it; S3: the object's tag EXPIRING_PAGE_TAG). A folder ignores
   * it: `prune --older-than` does the same there.
   */
  expiring?: true;
}

/** The tag of the pages the bucket's lifecycle rule expires (serverless.yml ExpireRawPages). */
export const EXPIRING_PAGE_TAG = { key: 'zoho-desk-reports', value: 'expiring-page' } as const;

/** The bucket: S3, or a folder with the same keys. Keys are relative, '/'-separated, never absolute. */
export interface ObjectStore {
  /** For messages: "folder reports" or "bucket zoho-reports-123456789012". */
  readonly description: string;
  /**
   * Writes the whole object at once: readers see the old object or the new one, never part of one. Text is
   * stored as UTF-8; bytes (a Parquet file) as they are.
   */
  put(key: string, body: string | Uint8Array, contentType: string, options?: PutOptions): Promise<void>;
  /** The object's text, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  /** The object's bytes, or undefined when there is none. */
  getBytes(key: string): Promise<Uint8Array | undefined>;
  /** Every key under a prefix, in key order. */
  list(prefix: string): Promise<string[]>;
  /** The names of the "folders" directly under a prefix ending in "/" (S3: common prefixes), in order. */
  folders(prefix: string): Promise<string[]>;
  /** Removes these objects; a key that is not there is no error. */
  delete(keys: readonly string[]): Promise<void>;
}

/** A view in the query engine's catalogue (Athena's, in Glue): how it is defined now, and a new definition. */
export interface ViewCatalog {
  /** For messages: "Glue database zoho_desk_prod". */
  readonly description: string;
  /**
   * Where its tables' files are (`s3://<bucket>/`): the latest views read each report's compacted generation
   * (current/) and name its rows' pages under it. Without it, the views read every page.
   */
  readonly location?: string;
  /** The view's SQL as stored, or undefined when there is no such view. */
  viewSql(name: string): Promise<string | undefined>;
  /** Replaces an existing view's SQL and columns (Athena types: varchar, bigint, timestamp(3)…). */
  replaceView(view: {
    name: string;
    description: string;
    sql: string;
    columns: ReadonlyArray<{ name: string; engineType: string; hiveType: string }>;
  }): Promise<void>;
}

export interface QueueMessage {
  /** the JSON text of the message */
  body: string;
  /** why it is in the dead-letter queue, for messages sent there directly */
  reason?: string;
  /**
   * The portal it reads (its secret): a queue takes from each group in turn, so one portal's backlog never holds
   * back another's pages (SQS: the MessageGroupId of a fair queue).
   */
  group?: string;
  /**
   * Read before the rest of its group where the queue can order messages (the folder queue: a first run's
   * tickets before the threads queued ahead of them); a standard SQS queue has no order to change, and ignores it.
   */
  first?: true;
}

export interface ReceivedMessage extends QueueMessage {
  id: string;
  /** what `delete`, `release` and `deadLetter` take */
  handle: string;
  /** how many times it has been received, this time included (SQS ApproximateReceiveCount) */
  receiveCount: number;
}

/**
 * The work queue with its dead-letter queue, with SQS semantics: a received message is invisible until it is
 * deleted or released; one received `maxReceiveCount` times without success moves to the dead-letter queue.
 */
export interface WorkQueue {
  send(messages: QueueMessage[]): Promise<void>;
  /** up to `max` messages that are visible now */
  receive(max: number): Promise<ReceivedMessage[]>;
  delete(handle: string): Promise<void>;
  /** back to the queue, visible again after `delayMs` */
  release(handle: string, delayMs: number): Promise<void>;
  /** straight to the dead-letter queue, with the reason for the operator */
  deadLetter(message: Pick<ReceivedMessage, 'handle' | 'body' | 'id'>, reason: string): Promise<void>;
}
