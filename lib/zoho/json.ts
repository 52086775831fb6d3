import { isSafeNumber, parse as parseLossless } from 'lossless-json';

// A run of 16+ digits right after a JSON delimiter: possibly a number JSON.parse would round. It may also
// match inside a string, which only costs the slower exact parse below.
const LONG_NUMBER = /[:[,]\s*-?\d{16,}/;

/**
 * JSON.parse, except that an integer too large for a double (a Zoho id sent as a bare number) comes back as
 * its exact digits in a string instead of a silently rounded number. Ids stay strings end to end.
 */
export function parseJsonKeepingIds(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  return parseLossless(text, null, (digits) => (isSafeNumber(digits) ? Number(digits) : digits));
}
