import { parse as parseLossless } from 'lossless-json';

/**
 * Where a JSON text stops being JSON, as "at line 3, column 17" — never the text itself. JSON.parse's own
 * message quotes the text around the problem (Node 20: `Unexpected token 'a', ..."_secret": abcdefghij"...`),
 * which for a secret file would print part of the client secret or a token.
 *
 * lossless-json (already used for Zoho ids) says "at position N" for every problem, so the position is
 * taken from its message; only the number is kept.
 */
export function jsonProblem(text: string): string {
  const position = errorPosition(text);
  if (position === undefined) return 'where is not known';
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  const where = `line ${line}, column ${column}`;
  return position >= text.trimEnd().length ? `it ends too early, at ${where}` : `at ${where}`;
}

function errorPosition(text: string): number | undefined {
  for (const parse of [(t: string) => parseLossless(t), (t: string) => JSON.parse(t) as unknown]) {
    try {
      parse(text);
    } catch (error) {
      const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
      if (match) return Math.min(Number(match[1]), text.length);
    }
  }
  return undefined;
}
