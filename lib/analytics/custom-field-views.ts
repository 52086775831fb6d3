import type { ObjectStore, ViewCatalog } from '../ports.js';
import { pageRecords } from '../pipeline/page-lines.js';
import { FIELD_MODULES } from '../reports/catalog.js';
import { customFieldType, TABLES, type CustomField, type TableSpec } from './schema.js';
import { ATHENA, latestViewColumns, latestViewName, latestViewSql, tableViewColumns, tableViewSql } from './views.js';

/**
 * Custom fields change in Zoho (an admin adds "Product Area"); the views follow. The local engine builds its
 * views from the export's field metadata whenever it opens; in Athena the scheduler calls this after finalizing
 * runs, and each view whose SQL differs from what the field metadata asks for is replaced.
 */

const REPORT = 'organization-fields';

/**
 * The custom fields per module, from the newest field metadata stored for each module (runs newest first, so a
 * module that could not be read in the last run keeps the fields it had).
 */
export async function customFieldsFromExport(store: ObjectStore, warn: (message: string) => void): Promise<Map<string, CustomField[]>> {
  const byModule = new Map<string, CustomField[]>();
  const days = (await store.folders(`${REPORT}/`)).sort().reverse();
  for (const day of days) {
    const runs = (await store.folders(`${REPORT}/${day}/`)).sort().reverse();
    for (const run of runs) {
      const found = new Map<string, CustomField[]>();
      for (const key of (await store.list(`${REPORT}/${day}/${run}/`)).filter((k) => k.endsWith('.jsonl'))) {
        const module = /\/module=([a-z]+)\//.exec(key)?.[1];
        if (!module || byModule.has(module)) continue;
        found.set(module, [...(found.get(module) ?? []), ...customFieldsIn(key, (await store.get(key)) ?? '', warn)]);
      }
      for (const [module, fields] of found)
        byModule.set(
          module,
          fields.sort((a, b) => a.apiName.localeCompare(b.apiName)),
        );
      if (FIELD_MODULES.every((m) => byModule.has(m))) return byModule;
    }
  }
  return byModule;
}

function customFieldsIn(key: string, text: string, warn: (message: string) => void): CustomField[] {
  const { records, unreadable } = pageRecords(text);
  if (unreadable) warn(`${key} holds ${unreadable} line(s) that are not JSON objects: skipped for custom-field columns.`);
  return records
    .filter((field) => field.isCustomField === true && typeof field.apiName === 'string')
    .map((field) => ({ apiName: field.apiName as string, type: customFieldType(String(field.type)) }));
}

/** The views of tables whose records carry custom fields, as the field metadata asks for them. */
export function customFieldViews(byModule: ReadonlyMap<string, CustomField[]>) {
  return TABLES.filter((spec): spec is TableSpec & { module: string } => spec.module !== undefined).flatMap((spec) => {
    const fields = byModule.get(spec.module) ?? [];
    return [
      {
        name: spec.table,
        description: `Zoho Desk ${spec.report}: every version of every record, typed`,
        sql: tableViewSql(spec, ATHENA, fields),
        columns: tableViewColumns(spec, fields),
      },
      {
        name: latestViewName(spec),
        description: `Zoho Desk ${spec.report}: the records as they are now`,
        sql: latestViewSql(spec, ATHENA, fields),
        columns: latestViewColumns(spec, fields),
      },
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
