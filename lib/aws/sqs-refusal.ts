/** Why SQS (or what answers in its place) will not do an operation, whatever the retries. */
export interface Refusal {
  kind: 'unsupported' | 'denied';
  /** for the operator: the error code or what came back, never the request */
  detail: string;
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const UNSUPPORTED = new Set(['UnsupportedOperation', 'InvalidAction', 'UnknownOperationException', 'NotImplemented']);

interface SdkError {
  name?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
}

/**
 * Sorts an SQS client error: refused for want of permission, refused because the endpoint does not have the
 * operation (emulators: moto answers an HTML page the SDK cannot parse, fauxqs "InvalidAction"), or
 * undefined for anything else (throttling, network, a queue that is gone), which keeps its own error.
 */
export function sqsRefusal(error: unknown): Refusal | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const code = e.name ?? '';
  if (DENIED.has(code) || (e.$fault === 'client' && status === 403)) return { kind: 'denied', detail: code || `HTTP ${status}` };
  if (UNSUPPORTED.has(code) || status === 501) return { kind: 'unsupported', detail: code || `HTTP ${status}` };
  // A response came back, but not one of SQS's: the SDK could not even read an error code from it.
  if (e.$response !== undefined && e.$fault === undefined) {
    return { kind: 'unsupported', detail: `HTTP ${status ?? '?'} with an answer that is not SQS's` };
  }
  return undefined;
}
