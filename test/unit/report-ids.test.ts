import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_IDS } from '../../lib/reports/catalog.js';

// Issue 16: a report's behaviour lives in its definition (lib/reports/). These scans hold the line while the rest
// moves there. The simulator is outside them: it is Zoho, not the pipeline.

const ROOT = join(import.meta.dirname, '..', '..');
const SCANNED = ['lib', 'handlers'];
const OUTSIDE = (file: string) => !file.startsWith('lib/reports/') && !file.startsWith('lib/simulator/');

async function sources(): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const top of SCANNED) {
    for (const name of await readdir(join(ROOT, top), { recursive: true })) {
      const file = `${top}/${name.replaceAll('\\', '/')}`;
      if (file.endsWith('.ts') && OUTSIDE(file)) out.push([file, await readFile(join(ROOT, file), 'utf8')]);
    }
  }
  return out;
}

/**
 * The files outside lib/reports/ that still name a report id as a string, with the ids each names (some only as a
 * table or a word that happens to be one: each is to be looked at as its report's behaviour moves). A file
 * naming a new id fails here; a file that no longer names one is taken off.
 */
const STILL_NAMED: Record<string, string[]> = {
  'lib/analytics/athena-template.ts': ['tickets'],
  'lib/analytics/custom-field-views.ts': ['organization-fields'],
  'lib/analytics/fields.ts': [
    'agent-time-entries',
    'customer-happiness',
    'email-failures',
    'organization-fields',
    'pending-approvals',
    'recycle-bin',
    'ticket-tags',
    'ticket-time-entries',
  ],
  'lib/analytics/local-warehouse.ts': ['organization-fields', 'tickets'],
  'lib/analytics/report-data.ts': ['email-failures', 'tickets'],
  'lib/analytics/schema.ts': ['accounts', 'agent-time-entries', 'calls', 'contacts', 'ticket-time-entries', 'tickets'],
  'lib/analytics/views.ts': ['tickets'],
  'lib/pipeline/consume.ts': ['queue'],
  'lib/pipeline/deps.ts': ['queue'],
  'lib/pipeline/discovery.ts': ['agents', 'departments'],
  'lib/pipeline/messages.ts': ['threads', 'tickets'],
  'lib/pipeline/tombstones.ts': ['recycle-bin'],
  'lib/pipeline/windows.ts': ['tickets'],
  'lib/zoho/credit-reserve.ts': ['agents'],
};

describe('report ids outside lib/reports/', () => {
  it('no file compares a target with "route": a route is its own kind of target (reports/sources.ts)', async () => {
    const offenders = (await sources()).filter(([, text]) => /report\s*(===|!==|==|!=)\s*['"`]route['"`]|report:\s*['"`]route['"`]/.test(text));
    expect(offenders.map(([file]) => file)).toEqual([]);
  });

  it('are named only where they still are, and no more', async () => {
    const named: Record<string, string[]> = {};
    for (const [file, text] of await sources()) {
      const ids = REPORT_IDS.filter((id) => new RegExp(`['"\`]${id}['"\`]`).test(text));
      if (ids.length) named[file] = [...ids].sort();
    }
    expect(named).toEqual(Object.fromEntries(Object.entries(STILL_NAMED).map(([file, ids]) => [file, [...ids].sort()])));
  });
});
