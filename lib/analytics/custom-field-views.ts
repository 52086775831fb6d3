import type { ObjectStore, ViewCatalog } from '../ports.js';
import { orgFolder, STATE_PREFIX } from '../pipeline/keys.js';
import { pageRecords } from '../pipeline/page-lines.js';
import { readLayout } from '../pipeline/portals.js';
import { FIELD_METADATA_REPORT, FIELD_MODULES } from '../reports/catalog.js';
import { compactedLatestViewSql, CURRENT_PREFIX, pointerSchema, type CompactedGeneration } from './compacted-views.js';
import { customFieldType, ROUTES_TABLE, TABLES, type CustomField } from './schema.js';
import {
  ATHENA,
  latestViewColumns,
  latestViewName,
  latestViewSql,
  ROUTES_VIEW_COLUMNS,
  routesViewSql,
  tableViewColumns,
  tableViewSql,
} from './views.js';

/**
 * Custom fields change in Zoho (an admin adds "Product Area"), and an export written before portals has a legacy
 * portal; the views follow. The local engine builds its views from the export whenever it opens; in Athena the
 * scheduler calls this after finalizing runs, and each view whose SQL differs from what the export asks for is
 * replaced.
 */

const REPORT = FIELD_METADATA_REPORT.id;

/**
 * The custom fields per module, from the newest field metadata stored for each module by each portal (runs newest
 * first, so a module that could not be read in the last run keeps the fields it had): the views have a column
 * for every portal's fields, empty on the others' records. A field two portals type differently takes the type
 * of the portal seen first.
 */
export async function customFieldsFromExport(store: ObjectStore, warn: (message: string) => void): Promise<Map<string, CustomField[]>> {
  const layout = await readLayout(store);
  // The portals of the export: the state folders, and the legacy layout's ("" is the folder with no org=).
  const portals = new Set((await store.folders(STATE_PREFIX)).filter((f) => f.startsWith('org=')).map((f) => `${f}/`));
  // An export not adopted yet (written before portals, no run since) is the legacy portal alone.
  if (layout?.legacyOrgId || portals.size === 0) portals.add(orgFolder(layout?.legacyOrgId));
  const byPortal = new Map<string, Map<string, CustomField[]>>();
  const complete = () => portals.size > 0 && [...portals].every((p) => FIELD_MODULES.every((m) => byPortal.get(p)?.has(m)));
  const days = (await store.folders(`${REPORT}/`)).sort().reverse();
  for (const day of days) {
    const runs: Array<{ portal: string; folder: string; runId: string }> = [];
    for (const child of await store.folders(`${REPORT}/${day}/`)) {
      if (child.startsWith('run=')) runs.push({ portal: orgFolder(layout?.legacyOrgId), folder: `${REPORT}/${day}/${child}/`, runId: child });
      else if (child.startsWith('org=')) {
        for (const run of await store.folders(`${REPORT}/${day}/${child}/`)) {
          runs.push({ portal: `${child}/`, folder: `${REPORT}/${day}/${child}/${run}/`, runId: run });
        }
      }
    }
    for (const { portal, folder } of runs.sort((a, b) => b.runId.localeCompare(a.runId))) {
      const byModule = byPortal.get(portal) ?? new Map<string, CustomField[]>();
      byPortal.set(portal, byModule);
      const found = new Map<string, CustomField[]>();
      for (const key of (await store.list(folder)).filter((k) => k.endsWith('.jsonl'))) {
        const module = /\/module=([a-z]+)\//.exec(key)?.[1];
        if (!module || byModule.has(module)) continue;
        found.set(module, [...(found.get(module) ?? []), ...customFieldsIn(key, (await store.get(key)) ?? '', warn)]);
      }
      for (const [module, fields] of found) byModule.set(module, fields);
    }
    if (complete()) break;
  }
  const byModule = new Map<string, CustomField[]>();
  for (const fieldsOf of byPortal.values()) {
    for (const [module, fields] of fieldsOf) {
      const known = byModule.get(module) ?? [];
      const names = new Set(known.map((f) => f.apiName.toLowerCase()));
      byModule.set(module, [...known, ...fields.filter((f) => !names.has(f.apiName.toLowerCase()))]);
    }
  }
  for (const fields of byModule.values()) fields.sort((a, b) => a.apiName.localeCompare(b.apiName));
  return byModule;
}

function customFieldsIn(key: string, text: string, warn: (message: string) => void): CustomField[] {
  const { records, unreadable } = pageRecords(text);
  if (unreadable) warn(`${key} holds ${unreadable} line(s) that are not JSON objects: skipped for custom-field columns.`);
  return records
    .filter((field) => field.isCustomField === true && typeof field.apiName === 'string')
    .map((field) => ({ apiName: field.apiName as string, type: customFieldType(String(field.type)) }));
}

type ExportView = Parameters<ViewCatalog['replaceView']>[0];

/**
 * Every table's views as the export asks for them: a column per custom field (tables whose records carry them),
 * and each row's portal, the legacy layout's files included (`legacyOrgId`, from the export's layout).
 */
export function exportViews(
  byModule: ReadonlyMap<string, CustomField[]>,
  legacyOrgId?: string,
  compacted?: { location: string; generations: ReadonlyMap<string, CompactedGeneration> },
): ExportView[] {
  const routes: ExportView = {
    name: ROUTES_TABLE,
    description: 'On-demand exports of any Desk route, one row per record',
    sql: routesViewSql(ATHENA, legacyOrgId),
    columns: ROUTES_VIEW_COLUMNS,
  };
  return TABLES.flatMap((spec): ExportView[] => {
    const inputs = { customFields: spec.module ? (byModule.get(spec.module) ?? []) : [], ...(legacyOrgId ? { legacyOrgId } : {}) };
    const generation = compacted?.generations.get(spec.report);
    return [
      {
        name: spec.table,
        description: `Zoho Desk ${spec.report}: every version of every record, typed`,
        sql: tableViewSql(spec, ATHENA, inputs),
        columns: tableViewColumns(spec, inputs),
      },
      {
        name: latestViewName(spec),
        description: `Zoho Desk ${spec.report}: the records as they are now`,
        sql: generation
          ? compactedLatestViewSql(spec, ATHENA, inputs, generation, (compacted as { location: string }).location)
          : latestViewSql(spec, ATHENA, inputs),
        columns: latestViewColumns(spec, inputs),
      },
    ];
  }).concat(routes);
}

/**
 * Each report's current generation in the bucket (its pointer, and the generation's file there): what its latest
 * view reads besides the pages of later runs.
 */
export async function compactedGenerations(store: ObjectStore): Promise<Map<string, CompactedGeneration>> {
  const out = new Map<string, CompactedGeneration>();
  for (const spec of TABLES) {
    const text = await store.get(`${CURRENT_PREFIX}${spec.report}/_current.json`);
    if (text === undefined) continue;
    let parsed;
    try {
      parsed = pointerSchema.safeParse(JSON.parse(text));
    } catch {
      continue;
    }
    if (!parsed.success || parsed.data.report !== spec.report) continue;
    const { generation, through } = parsed.data;
    const file = `${CURRENT_PREFIX}${spec.report}/${generation}/part-0.parquet`;
    if ((await store.list(`${CURRENT_PREFIX}${spec.report}/${generation}/`)).includes(file)) out.set(spec.report, { generation, through });
  }
  return out;
}

/**
 * Replaces each view whose SQL is not what the export asks for (its custom fields, its legacy portal, each
 * report's compacted generation where the catalogue knows the bucket); returns their names. The template's
 * views know none of these: after the first scheduled run or compaction they do.
 */
export async function refreshExportViews(store: ObjectStore, catalog: ViewCatalog, warn: (message: string) => void): Promise<string[]> {
  const byModule = await customFieldsFromExport(store, warn);
  const compacted = catalog.location ? { location: catalog.location, generations: await compactedGenerations(store) } : undefined;
  const replaced: string[] = [];
  for (const view of exportViews(byModule, (await readLayout(store))?.legacyOrgId, compacted)) {
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
