import { InvalidMessageError } from '../errors.js';

/** What a report parameter holds; each kind has one validation, shared by the CLI and queue messages. */
export type ParamKind = 'id' | 'agent-status' | 'ticket-status' | 'time' | 'number' | 'module' | 'layout-module';

/** The modules of Zoho's field metadata (Field.json getFields `module`) that the reports' records carry. */
export const FIELD_MODULES = ['tickets', 'contacts', 'accounts', 'calls'] as const;
const MODULES: readonly string[] = FIELD_MODULES;
/** The modules of Zoho's layouts (Layout.json getLayouts `module`). */
export const LAYOUT_MODULES = ['tickets', 'contacts', 'accounts', 'calls', 'tasks', 'events', 'contracts', 'products', 'timeEntry'] as const;

export interface ParamSpec {
  name: string;
  kind: ParamKind;
  description: string;
  /** what happens when it is not given */
  default?: string;
  /** set by the planner on page messages; a user may give it too */
  internal?: boolean;
}

const ID = /^\d{1,25}$/;

/** One value, checked against its kind; `field` names it in the reason ("params.ticketId"). */
export function checkParam(field: string, kind: ParamKind, value: unknown): string {
  if (typeof value === 'number') {
    if (kind === 'id' && !Number.isSafeInteger(value)) {
      throw new InvalidMessageError(`${field} is a number that lost precision (JSON numbers above 2^53 are rounded): send the id as a string`);
    }
    throw new InvalidMessageError(`${field} must be a string ("${value}"), not a number`);
  }
  if (typeof value !== 'string') throw new InvalidMessageError(`${field} must be a string, not ${value === null ? 'null' : typeof value}`);
  switch (kind) {
    case 'id':
      if (!ID.test(value)) throw new InvalidMessageError(`${field} must be the digits of a Zoho id, not "${value.slice(0, 40)}"`);
      return value;
    case 'number':
      if (!/^\d{1,6}$/.test(value)) throw new InvalidMessageError(`${field} must be a whole number, not "${value.slice(0, 40)}"`);
      return value;
    case 'module':
      if (!MODULES.includes(value)) throw new InvalidMessageError(`${field} must be one of ${MODULES.join(', ')}, not "${value.slice(0, 40)}"`);
      return value;
    case 'layout-module':
      if (!(LAYOUT_MODULES as readonly string[]).includes(value)) {
        throw new InvalidMessageError(`${field} must be one of ${LAYOUT_MODULES.join(', ')}, not "${value.slice(0, 40)}"`);
      }
      return value;
    case 'agent-status':
      if (value !== 'ACTIVE' && value !== 'DISABLED')
        throw new InvalidMessageError(`${field} must be ACTIVE or DISABLED, not "${value.slice(0, 40)}"`);
      return value;
    case 'ticket-status':
      if (!/^[\p{L}\p{N} ,_-]{1,100}$/u.test(value)) throw new InvalidMessageError(`${field} must be a ticket status or a comma list of them`);
      return value;
    case 'time': {
      const parsed = Date.parse(value);
      if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(parsed)) {
        throw new InvalidMessageError(`${field} must be an ISO time such as 2026-11-01T00:00:00Z, not "${value.slice(0, 40)}"`);
      }
      return new Date(parsed).toISOString();
    }
  }
}

/** A report's parameters: unknown names are refused with the ones it takes; internal ones only on page messages. */
export function parseParams(reportId: string, specs: readonly ParamSpec[], raw: unknown, allowInternal = true): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidMessageError('params must be an object of strings');
  const parsed: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const spec = specs.find((s) => s.name === name);
    if (!spec) {
      const takes = specs.filter((s) => !s.internal).map((s) => s.name);
      throw new InvalidMessageError(
        `params.${name} is not a parameter of report ${reportId} (${takes.length ? `it takes ${takes.join(', ')}` : 'it takes none'})`,
      );
    }
    if (spec.internal && !allowInternal) {
      throw new InvalidMessageError(`params.${name} is set by the planner on the pages it plans, not by an on-demand message`);
    }
    parsed[name] = checkParam(`params.${name}`, spec.kind, value);
  }
  return parsed;
}
