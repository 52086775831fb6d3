import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactStore, type StoreCompaction } from '../analytics/store-compaction.js';
import { refreshExportViews } from '../analytics/custom-field-views.js';
import type { Clock, Logger, ObjectStore, ViewCatalog } from '../ports.js';

export interface CompactorDeps {
  store: ObjectStore;
  clock: Clock;
  logger: Logger;
  /** the folder compaction works in: the Lambda's /tmp (its ephemeral storage) */
  workDir?: string;
  /** Athena's views, pointed at each new generation (with the bucket as their location) */
  views?: ViewCatalog;
}

export type CompactorHandler = () => Promise<CompactorResult>;

export interface CompactorResult {
  horizon: string | null;
  full: boolean;
  /** report → rows of its new generation (the reports with nothing new are left out) */
  compacted: Record<string, number>;
  downloaded: number;
  uploaded: number;
  /** the views replaced to read the new generations */
  views: string[];
}

/**
 * The compactor Lambda (hourly, one at a time): compacts the bucket's settled runs into current/ (issue 15),
 * so the latest views read each report's current state and the pages of the runs since, not every run there
 * has been. Nothing to do is cheap: the run records and pointers are read, no page.
 */
export function buildCompactor(deps: CompactorDeps): CompactorHandler {
  return async () => {
    const warn = (message: string) => deps.logger.warn({}, message);
    let views: string[] = [];
    const { views: catalog } = deps;
    const outcome: StoreCompaction = await compactStore(deps.store, {
      now: deps.clock.now(),
      workDir: deps.workDir ?? join(tmpdir(), 'compaction'),
      warn,
      // Before the generations older than the one before go: a view naming one is replaced first.
      ...(catalog && {
        afterSwap: async () => {
          views = await refreshExportViews(deps.store, catalog, warn).catch((error: unknown) => {
            throw new Error(
              `The compacted generations are in place, but Athena's views in ${catalog.description} were not pointed at them ` +
                `(${error instanceof Error ? error.message : String(error)}); older generations are kept until they are. ` +
                'The compactor needs glue:GetTable and glue:UpdateTable on the database, which serverless.yml grants.',
              { cause: error },
            );
          });
        },
      }),
    });
    const compacted = Object.fromEntries(outcome.results.filter((r) => !r.unchanged).map((r) => [r.report, r.rows ?? 0]));
    const result: CompactorResult = {
      horizon: outcome.horizon ?? null,
      full: outcome.full,
      compacted,
      downloaded: outcome.downloaded,
      uploaded: outcome.uploaded,
      views,
    };
    deps.logger.info(
      result as unknown as Record<string, unknown>,
      outcome.horizon ? `compacted through run ${outcome.horizon}` : 'no settled run to compact',
    );
    return result;
  };
}
