/**
 * The records of a stored page (JSON Lines, one object per line). A line that is not a JSON object — a page
 * edited by hand, cut short — is counted, not thrown: the callers say what they skipped.
 */
export function pageRecords(text: string): { records: Array<Record<string, unknown>>; unreadable: number } {
  const records: Array<Record<string, unknown>> = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) records.push(value as Record<string, unknown>);
      else unreadable += 1;
    } catch {
      unreadable += 1;
    }
  }
  return { records, unreadable };
}
