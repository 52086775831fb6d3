import * as z from 'zod';
import { jsonProblem } from './json-problem.js';

/** One message of the folder queue, as its file holds it: `<folder>/work/<id>.json` or `<folder>/dead/<id>.json`. */
const text = { message: 'must be a string' };
const count = { message: 'must be a whole number ≥ 0' };

export const storedMessageSchema = z.object({
  id: z.string(text).regex(/^[A-Za-z0-9_-]{1,100}$/, { message: 'must be letters, digits, "_" or "-"' }),
  body: z.string(text),
  receiveCount: z.number(count).int(count).min(0, count),
  sentAt: z.string(text),
  reason: z.string(text).optional(),
  /** the message's group (its portal), taken in turn with the others */
  group: z.string(text).optional(),
  /** read before the rest of its group */
  first: z.literal(true, { message: 'must be true when present' }).optional(),
});

export type StoredMessage = z.infer<typeof storedMessageSchema>;

/**
 * The message a file holds, or why it holds none: every field checked, and its id must be its file name (the
 * queue deletes a message by its id). The reason names fields, never values.
 */
export function readStoredMessage(text: string, fileName: string): { message: StoredMessage } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { problem: `not JSON (${jsonProblem(text)})` };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: 'not a JSON object' };
  const result = storedMessageSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '(root)');
      return (raw as Record<string, unknown>)[field] === undefined ? `"${field}" is missing` : `"${field}" ${issue.message}`;
    });
    return { problem: [...new Set(problems)].join('; ') };
  }
  if (`${result.data.id}.json` !== fileName) return { problem: 'its "id" is not its file name' };
  return { message: result.data };
}
