/** A simulated time (epoch ms) as Zoho sends times: ISO-8601 with milliseconds; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
