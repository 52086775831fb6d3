import type { Output } from '../../lib/cli/output.js';
import type { Logger } from '../../lib/ports.js';

/** An Output that keeps what a command printed: its lines, its error lines, and the lines as one text. */
export function capture(): Output & { lines: string[]; errors: string[]; text(): string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, line: (t = '') => lines.push(t), error: (t) => errors.push(t), text: () => lines.join('\n') };
}

export interface CapturingLogger extends Logger {
  /** every line logged, as JSON: {"level", "message", ...fields} */
  readonly lines: string[];
  /** the messages logged at one level, in order */
  messages(level: keyof Logger): string[];
}

/** A logger that keeps every line, for inspection. */
export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const entries: Array<{ level: keyof Logger; message: string }> = [];
  const keep = (level: keyof Logger) => (fields: object, message: string) => {
    entries.push({ level, message });
    lines.push(JSON.stringify({ level, message, ...fields }));
  };
  return {
    lines,
    messages: (level) => entries.filter((e) => e.level === level).map((e) => e.message),
    debug: keep('debug'),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
  };
}
