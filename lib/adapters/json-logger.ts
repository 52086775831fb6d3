import { pino } from 'pino';
import type { Logger } from '../ports.js';

// Field names that hold secrets anywhere in a log line: never printed, even by mistake.
const SECRET_FIELDS = ['access_token', 'refresh_token', 'client_secret', 'code', 'authorization'];

/** Structured JSON logs (one object per line, as CloudWatch expects), with secrets redacted. */
export function jsonLogger(service: string, level = 'info', destination: 1 | 2 | { write(line: string): void } = 1): Logger {
  const log = pino(
    {
      level,
      base: { service },
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
    },
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination,
  );
  return {
    debug: (fields, message) => log.debug(fields, message),
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };
}
