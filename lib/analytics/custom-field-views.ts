import type { ObjectStore, ViewCatalog } from '../ports.js';
import { runFolder, stateKey } from '../pipeline/keys.js';
import { readChecked, reportStateSchema } from '../pipeline/records.js';
import { customFieldType, TABLES, type CustomField, type TableSpec } from './schema.js';
import { ATHENA, latestViewColumns, latestViewName, latestViewSql, tableViewColumns, tableViewSql } from './views.js';

/**
 * Custom fields change in Zoho (an admin adds "Product Area"); the views follow. The local engine builds its
 * views from the export's field metadata whenever it opens; in Athena the scheduler calls this after finalizing
 * runs, and each view whose SQL differs from what the field metadata asks for is replaced.
 */

const REPORT = 'organization-fields';

/** The custom fields per module, from the organization-fields pages of the last complete run of that report. */
export async function customFieldsFromExport(store: ObjectStore, warn: (message: string) => void): Promise<Map<string, CustomField[]>> {
  const byModule = new Map<string, CustomField[]>();
  const state = await readChecked(store, stateKey(REPORT), reportStateSchema, warn);
  if (!state) return byModule;
  for (const key of (await store.list(runFolder(REPORT, state.runId))).filter((k) => k.endsWith('.jsonl'))) {
    const module = /\/module=([a-z]+)\//.exec(key)?.[1];
    if (!module) continue;
    for (const line of ((await store.get(key)) ?? '').split('\n')) {
      if (!line.trim()) continue;
      let field: Record<string, unknown>;
      try {
        field = JSON.parse(line) as Record<string, unknown>;
      } catch {
        warn(`${key} holds a line that is not JSON: skipped for custom-field columns.`);
        continue;
      }
      if (field.isCustomField !== true || typeof field.apiName !== 'string') continue;
      byModule.set(module, [...(byModule.get(module) ?? []), { apiName: field.apiName, type: customFieldType(String(field.type)) }]);
    }
  }
  for (const fields of byModule.values()) fields.sort((a, b) => a.apiName.localeCompare(b.apiName));
  return byModule;
}

/** The views of tables whose records carry custom fields, as the field metadata asks for them. */
export function customFieldViews(byModule: ReadonlyMap<string, CustomField[]>) {
  return TABLES.filter((spec): spec is TableSpec & { module: string } => spec.module !== undefined).flatMap((spec) => {
    const fields = byModule.get(spec.module) ?? [];
    return [
      { name: spec.table, description: `Zoho Desk ${spec.report}: every version of every record, typed`, sql: tableViewSql(spec, ATHENA, fields), columns: tableViewColumns(spec, fields) },
      { name: latestViewName(spec), description: `Zoho Desk ${spec.report}: the records as they are now`, sql: latestViewSql(spec, ATHENA, fields), columns: latestViewColumns(spec, fields) },
    ];
  });
}

/** Replaces each view whose SQL is not what the export's field metadata asks for; returns their names. */
export async function refreshCustomFieldViews(store: ObjectStore, catalog: ViewCatalog, warn: (message: string) => void): Promise<string[]> {
  const byModule = await customFieldsFromExport(store, warn);
  const replaced: string[] = [];
  for (const view of customFieldViews(byModule)) {
    const current = await catalog.viewSql(view.name);
    if (current === undefined) {
      warn(`${catalog.description} has no view ${view.name}: deploy the stack (serverless deploy) to create it.`);
      continue;
    }
    if (current === view.sql) continue;
    await catalog.replaceView(view);
    replaced.push(view.name);
  }
  return replaced;
}

