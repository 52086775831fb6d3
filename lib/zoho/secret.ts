import * as z from 'zod';
import { ConfigError } from '../errors.js';

/**
 * The Zoho credentials secret (Secrets Manager `zoho_auth`, or `.zoho/auth.json` locally), as the original
 * project's users were told to write it: client_id, client_secret, redirect_uri, code, org_id. The
 * software adds refresh_token after the first exchange and keeps the shared access token beside it.
 * Unknown keys are kept as they are: the secret belongs to the user.
 */

// Zoho ids are strings. A bare JSON number is accepted only while it is exact; past 2^53 JSON.parse has
// already changed its digits, so we refuse it rather than use a wrong org id.
const idString = z.unknown().transform((value, context) => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    context.addIssue({ code: 'custom', message: 'is a number too large to be exact: write it as a string in quotes' });
    return z.NEVER;
  }
  if (typeof value === 'string' && /^\d{1,25}$/.test(value.trim())) return value.trim();
  context.addIssue({ code: 'custom', message: 'must be the digits of the id, in quotes' });
  return z.NEVER;
});

const text = z.string().trim().min(1, { message: 'is empty' });

export const zohoSecretSchema = z
  .object({
    client_id: text,
    client_secret: text,
    redirect_uri: z.string().trim().optional(),
    code: z.string().trim().optional(),
    org_id: idString.optional(),
    dc: z.string().trim().optional(),
    refresh_token: z.string().trim().optional(),
    access_token: z.string().optional(),
    access_token_expires_at: z.iso.datetime({ offset: true }).optional(),
    /** epoch-ms timestamps of the access tokens minted in the last 10 minutes (Zoho allows 10) */
    token_mints: z.array(z.number()).optional(),
    /** Zoho answered "Access Denied" to a mint: nobody mints again before this time */
    token_mint_blocked_until: z.iso.datetime({ offset: true }).optional(),
  })
  .loose();

export type ZohoSecret = z.infer<typeof zohoSecretSchema>;

const HINTS: Record<string, string> = {
  client_id: 'copy it from the Zoho API console (api-console.zoho.<dc>) → Self Client → Client Secret tab',
  client_secret: 'copy it from the Zoho API console → Self Client → Client Secret tab',
  org_id: 'find it in Zoho Desk → Setup → Developer Space → API, or leave it out and run `auth init` to discover it',
  code: 'generate one in the API console → Self Client → Generate Code',
  refresh_token: 'remove it and put a fresh grant "code" instead, then run `auth init`',
  access_token_expires_at: 'remove it; it is rewritten at the next token refresh',
  token_mints: 'remove it; it is rewritten at the next token refresh',
  token_mint_blocked_until: 'remove it; it is rewritten at the next token refresh',
};

/** Validates the secret once, at the edge, with one line per bad field saying what to do. */
export function parseZohoSecret(raw: unknown, description: string): ZohoSecret {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`The ${description} must hold a JSON object with client_id, client_secret and code.`);
  }
  const result = zohoSecretSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '(root)');
      const missing = issue.code === 'invalid_type' && (raw as Record<string, unknown>)[field] === undefined;
      const what = missing ? `has no "${field}"` : `"${field}" ${issue.message}`;
      const hint = HINTS[field];
      return hint ? `${what}: ${hint}` : what;
    });
    throw new ConfigError(`The ${description} ${problems.join('; ')}.`);
  }
  const secret = result.data;
  if (!secret.refresh_token && !secret.code) {
    throw new ConfigError(
      `The ${description} has neither "code" nor "refresh_token": generate a grant code in the Zoho API ` +
        'console (Self Client → Generate Code), put it in "code", and run `zoho-desk-reports auth init`.',
    );
  }
  return secret;
}
