import Table from 'cli-table3';
import { isAppError, type ErrorAction } from '../errors.js';

/** Exit codes by what the user must do, so scripts can tell "fix the config" from "try later". */
export const EXIT_CODES: Record<ErrorAction | 'unexpected' | 'dead-lettered' | 'failed' | 'interrupted', number> = {
  unexpected: 1,
  fix: 2,
  /** a message, parameter or request that can never work as written */
  reject: 2,
  reauthorize: 3,
  'stop-for-day': 4,
  retry: 5,
  unavailable: 6,
  /** the run finished but some pages are in the dead-letter queue: `redrive` later */
  'dead-lettered': 7,
  /** the run finished but some pages cannot be read as asked (Zoho's depth limit): the summary says what to do */
  failed: 8,
  /** stopped by Ctrl+C; `run` again finishes the queued pages */
  interrupted: 130,
};

export interface Output {
  line(text?: string): void;
  error(text: string): void;
}

export const consoleOutput: Output = {
  line: (text = '') => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
};

/** One clear line for the user, and the exit code that goes with it. */
export function reportFailure(error: unknown, out: Output, debug = false): number {
  if (isAppError(error)) {
    out.error(`zoho-desk-reports: ${error.message}`);
    if (debug && error.stack) out.error(error.stack);
    return EXIT_CODES[error.action];
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`zoho-desk-reports: unexpected failure: ${message}${debug ? '' : ' (set DEBUG=1 to see where)'}`);
  if (debug && error instanceof Error && error.stack) out.error(error.stack);
  return EXIT_CODES.unexpected;
}

/** The width `reports` and other listings keep within: a common terminal. */
export const TERMINAL_WIDTH = 120;

/**
 * compact: a rule under the header only, for long results; colWidths: each column's width, borders' padding
 * included, with longer cells wrapped at word boundaries.
 */
export function table(head: string[], rows: Array<Array<string | number>>, compact = false, colWidths?: number[]): string {
  const t = new Table({ head, style: { head: [], border: [] }, ...(colWidths ? { colWidths, wordWrap: true } : {}) });
  for (const row of rows) t.push(row.map(String));
  if (!compact) return t.toString();
  let rules = 0;
  return t
    .toString()
    .split('\n')
    .filter((line) => !line.startsWith('├') || rules++ === 0)
    .join('\n');
}

/** Text wrapped at word boundaries within `width` columns: the first line starts with `indent`, the rest with `hanging`. */
export function wrap(text: string, indent = '', hanging = indent, width = TERMINAL_WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const prefix = lines.length ? hanging : indent;
    if (line && [...`${prefix}${line} ${word}`].length > width) {
      lines.push(`${prefix}${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(`${lines.length ? hanging : indent}${line}`);
  return lines.join('\n');
}
