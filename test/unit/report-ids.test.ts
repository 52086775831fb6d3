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
 * The code of a file without its comments (a comment may name a report as an example: messages.ts's wire format)
 * and without the keys of Zoho's answers (`responseKey: 'teams'` is Zoho's word for its JSON, not a report).
 */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/responseKey: '[^']*'/g, '');
}

/** The report ids a file's code names as a string. */
const namedIds = (text: string) => REPORT_IDS.filter((id) => new RegExp(`['"\`]${id}['"\`]`).test(code(text)));

describe('report ids outside lib/reports/', () => {
  it('no file compares a target with "route": a route is its own kind of target (reports/sources.ts)', async () => {
    const offenders = (await sources()).filter(([, text]) => /report\s*(===|!==|==|!=)\s*['"`]route['"`]|report:\s*['"`]route['"`]/.test(text));
    expect(offenders.map(([file]) => file)).toEqual([]);
  });

  it('are named by no file outside lib/reports/: the planner, consumer and tables ask the definition', async () => {
    const named: Record<string, string[]> = {};
    for (const [file, text] of await sources()) {
      const ids = namedIds(text);
      if (ids.length) named[file] = ids;
    }
    expect(named).toEqual({});
  });

  it('the scan finds an id where one is named (it can fail)', () => {
    expect(namedIds("// 'tickets' in a comment\nconst report = findReport('tickets');")).toEqual(['tickets']);
    expect(namedIds("/* 'tickets' */\n  // 'queue'\n  responseKey: 'teams',")).toEqual([]);
  });
});
