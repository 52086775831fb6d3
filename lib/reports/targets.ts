import { ConfigError, InvalidMessageError } from '../errors.js';
import type { Target } from './sources.js';
import { findReport, REPORT_IDS, REPORTS } from './catalog.js';
import { checkParam } from './params.js';
import { didYouMean } from './suggest.js';

/** `--param k=v` values, in the order given. */
export function parseParamFlags(flags: readonly string[] = []): Array<[string, string]> {
  return flags.map((flag) => {
    const at = flag.indexOf('=');
    if (at <= 0) throw new ConfigError(`--param ${flag}: write it as name=value, e.g. --param ticketId=1329983000000425001`);
    return [flag.slice(0, at), flag.slice(at + 1)];
  });
}

/**
 * The reports a `run` asks for (every one but the opt-in ones when none are named; with `optIn`, those too), each
 * with the --param values it takes. A parameter no named report takes is an error, not silently ignored.
 */
export function buildTargets(
  reportIds: readonly string[],
  params: ReadonlyArray<readonly [string, string]> = [],
  options: { optIn?: boolean } = {},
): Target[] {
  const named = reportIds.map((id) => findReport(id) ?? unknownReport(id));
  // Deletions ride along: a run of tickets also reads the recycle bin, so deleted tickets leave tickets_latest (and a
  // run of call comments, so a deleted call's comments leave with it).
  const feeds = named.some((r) => r.binType || r.parent?.deletedWith) ? REPORTS.filter((r) => r.deletionFeed && !named.includes(r)) : [];
  const reports = reportIds.length ? [...named, ...feeds] : REPORTS.filter((r) => options.optIn || !r.optIn);
  for (const [name] of params) {
    if (!reports.some((r) => r.params.some((p) => p.name === name && !p.internal))) {
      throw new ConfigError(`--param ${name}: none of the reports run takes it (see \`zoho-desk-reports reports\`).`);
    }
  }
  return reports.map((report) => {
    const chosen: Record<string, string> = {};
    for (const [name, value] of params) {
      const spec = report.params.find((p) => p.name === name && !p.internal);
      if (!spec) continue;
      try {
        chosen[name] = checkParam(`--param ${name}`, spec.kind, value);
      } catch (error) {
        if (error instanceof InvalidMessageError) throw new ConfigError(`${error.message}.`);
        throw error;
      }
    }
    return { report: report.id, params: chosen };
  });
}

function unknownReport(id: string): never {
  throw new ConfigError(`There is no report "${id}".${didYouMean(id, REPORT_IDS)} Reports: ${REPORT_IDS.join(', ')}.`);
}
