import * as z from 'zod';
import type { ObjectStore } from '../ports.js';
import { orgFolder, runRecordKey, STATE_PREFIX, stateFolder } from './keys.js';
import { ORG_ID } from './messages.js';
import { isoTime, readRecord, runRecordSchema } from './records.js';

/**
 * Several portals (Zoho orgs) in one export. Everything a portal writes sits in its own `org=<id>/` folder
 * (keys.ts). An export written before portals holds one portal's data with no such folder: its pages stay where
 * they are and are read as that portal's — the legacy portal, named in the layout — and its state files move
 * once into that portal's state folder, so its cursors carry on.
 *
 *   _state/layout.json   { "version": 2, "legacyOrgId": "<the portal of the pages with no org= folder>" }
 */

export const LAYOUT_KEY = `${STATE_PREFIX}layout.json`;

const layoutSchema = z.object({
  version: z.literal(2),
  /** the portal whose pages, manifests and tombstones were written before portals (no org= folder) */
  legacyOrgId: z.string().regex(ORG_ID).optional(),
  /** when the export was adopted into this layout */
  adoptedAt: isoTime,
});
export type Layout = z.infer<typeof layoutSchema>;

/** The export's layout, if it has been adopted; an unreadable one is left for adoption to say so. */
export async function readLayout(store: ObjectStore): Promise<Layout | undefined> {
  return parseLayout(await store.get(LAYOUT_KEY));
}

/** A layout's text (the local query engine reads the file itself); undefined if there is none or it is unusable. */
export function parseLayout(text: string | undefined): Layout | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = layoutSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure the export is in the portal layout, once: cheap (one read) when it is. An export written before
 * portals has its state files (`_state/<name>`) moved into the state folder of the portal they belong to: the
 * org they record, else the org of its newest run, else the portal of the run adopting it (`orgId`, the only one
 * there was). A state already in that folder is newer (a run finalized since the upgrade) and is kept. The
 * layout is written first, so a planner of another portal adopting at the same time finds the same legacy org.
 */
export async function adoptPortalLayout(
  store: ObjectStore,
  adopting: { orgId: string; runId: string; now: number },
  warn: (message: string) => void,
): Promise<Layout> {
  const { orgId, runId } = adopting;
  const existing = await readRecord(store, LAYOUT_KEY, layoutSchema);
  if (existing.kind === 'valid') return existing.value;
  if (existing.kind === 'invalid') warn(`${LAYOUT_KEY} is invalid (${existing.reason}): written again from the export.`);
  const legacyStates = (await store.list(STATE_PREFIX)).filter((key) => key !== LAYOUT_KEY && !key.slice(STATE_PREFIX.length).includes('/'));
  // The newest earlier runs' records, a few: the newest are the likeliest to say what is asked of them below.
  const earlierRuns = (await store.folders('_runs/')).filter((folder) => folder !== runId).reverse();
  const runs = await Promise.all(earlierRuns.slice(0, 20).map(async (id) => readRecord(store, runRecordKey(id), runRecordSchema)));
  const layout: Layout = { version: 2, adoptedAt: new Date(adopting.now).toISOString() };
  // Written before portals: states, or a run that got past its planning (another portal's run planned beside this
  // one in a fresh folder is still planning, and wrote nothing before portals).
  if (legacyStates.length || runs.some((run) => run.kind !== 'valid' || run.value.status !== 'planning')) {
    const runOrg = runs.find((run) => run.kind === 'valid' && run.value.orgId);
    layout.legacyOrgId = (await stateOrg(store, legacyStates)) ?? (runOrg?.kind === 'valid' ? runOrg.value.orgId : undefined) ?? orgId;
  }
  await store.put(LAYOUT_KEY, `${JSON.stringify(layout, null, 2)}\n`, 'application/json');
  const target = stateFolder(layout.legacyOrgId);
  const moved = new Set(await store.list(target));
  for (const key of legacyStates) {
    const destination = `${target}${key.slice(STATE_PREFIX.length)}`;
    const text = await store.get(key);
    if (text !== undefined && !moved.has(destination)) await store.put(destination, text, 'application/json');
  }
  await store.delete(legacyStates);
  return layout;
}

/** The org the state files of an export written before portals recorded. */
async function stateOrg(store: ObjectStore, states: readonly string[]): Promise<string | undefined> {
  for (const key of states) {
    const org = /"orgId"\s*:\s*"(\d{1,25})"/.exec((await store.get(key)) ?? '')?.[1];
    if (org) return org;
  }
  return undefined;
}

/**
 * The run folders of a report a portal wrote, oldest day first: `<report>/dt=…/org=<id>/run=…/`, and those of
 * the legacy layout (`<report>/dt=…/run=…/`) when the portal is the legacy one.
 */
export async function portalRunFolders(
  store: ObjectStore,
  report: string,
  orgId: string | undefined,
  legacyOrgId: string | undefined,
): Promise<string[]> {
  const folders: string[] = [];
  const own = orgFolder(orgId);
  for (const day of await store.folders(`${report}/`)) {
    const base = `${report}/${day}/`;
    const children = await store.folders(base);
    if (orgId === legacyOrgId || !orgId) folders.push(...children.filter((c) => c.startsWith('run=')).map((c) => `${base}${c}/`));
    if (own && children.includes(own.slice(0, -1))) folders.push(...(await store.folders(`${base}${own}`)).map((run) => `${base}${own}${run}/`));
  }
  return folders;
}
