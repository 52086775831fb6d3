import { makeId, type Portal } from './dataset.js';
import { Random } from './random.js';

/**
 * Fields of the simulated portal's modules, as GET /organizationFields lists them (Field.json `fieldsData`, OAS
 * 83b5c18: commonFieldResponse plus the per-type extras), and the custom fields' values on records, as `cf`
 * (an object keyed by apiName, values string or null: "12", "0.0", "true", "2026-03-01" — Ticket.json and
 * Search.json examples). Values derive from the seed and the record's id, so nothing is stored until evolve
 * edits one (Portal.cfEdits). Which system fields a module lists, and the `name` of a field, are inferred: the
 * spec's own example of the answer is empty.
 */

export const FIELD_MODULES = ['tickets', 'contacts', 'accounts', 'calls'] as const;
export type FieldModule = (typeof FIELD_MODULES)[number];

type FieldType =
  | 'Text'
  | 'Picklist'
  | 'Number'
  | 'Percent'
  | 'Decimal'
  | 'Currency'
  | 'Date'
  | 'DateTime'
  | 'Boolean'
  | 'Email'
  | 'Phone'
  | 'URL'
  | 'LookUp';

interface FieldDefinition {
  apiName: string;
  displayLabel: string;
  type: FieldType;
  custom: boolean;
  maxLength: number;
  mandatory?: boolean;
  allowedValues?: readonly string[];
  decimalPlaces?: number;
}

const system = (
  apiName: string,
  displayLabel: string,
  type: FieldType,
  maxLength: number,
  extra: Partial<FieldDefinition> = {},
): FieldDefinition => ({ apiName, displayLabel, type, custom: false, maxLength, ...extra });
const custom = (name: string, displayLabel: string, type: FieldType, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
  apiName: `cf_${name}`,
  displayLabel,
  type,
  custom: true,
  maxLength: type === 'Text' || type === 'Picklist' ? 120 : 50,
  ...extra,
});

/** The ticket status field lists each value with its statusType (Field.json statusFieldResponse). */
const TICKET_STATUSES = [
  ['Open', 'Open'],
  ['On Hold', 'On Hold'],
  ['Escalated', 'Open'],
  ['Closed', 'Closed'],
] as const;

export const FIELDS: Record<FieldModule, readonly FieldDefinition[]> = {
  tickets: [
    system('subject', 'Subject', 'Text', 255, { mandatory: true }),
    system('status', 'Status', 'Picklist', 120, { mandatory: true, allowedValues: TICKET_STATUSES.map(([value]) => value) }),
    system('priority', 'Priority', 'Picklist', 120, { allowedValues: ['High', 'Medium', 'Low'] }),
    system('channel', 'Channel', 'Picklist', 120, { allowedValues: ['Email', 'Web', 'Phone', 'Chat', 'Twitter'] }),
    system('departmentId', 'Department', 'LookUp', 50, { mandatory: true }),
    system('dueDate', 'Due Date', 'DateTime', 50),
    custom('product_area', 'Product Area', 'Picklist', { allowedValues: ['Billing', 'Login', 'Shipping', 'Mobile app', 'API'] }),
    custom('items_affected', 'Items Affected', 'Number'),
    custom('severity_percentage', 'Severity Percentage', 'Percent'),
    custom('date_of_purchase', 'Date of Purchase', 'Date'),
    custom('refund_requested', 'Refund Requested', 'Boolean'),
  ],
  contacts: [
    system('lastName', 'Last Name', 'Text', 80, { mandatory: true }),
    system('firstName', 'First Name', 'Text', 40),
    system('email', 'Email', 'Email', 100),
    system('phone', 'Phone', 'Phone', 30),
    system('accountId', 'Account Name', 'LookUp', 50),
    custom('customer_tier', 'Customer Tier', 'Picklist', { allowedValues: ['Bronze', 'Silver', 'Gold', 'Platinum'] }),
    custom('last_contacted_on', 'Last Contacted On', 'Date'),
    custom('newsletter_opt_in', 'Newsletter Opt-in', 'Boolean'),
    custom('preferred_language', 'Preferred Language', 'Text'),
  ],
  accounts: [
    system('accountName', 'Account Name', 'Text', 200, { mandatory: true }),
    system('website', 'Website', 'URL', 120),
    system('phone', 'Phone', 'Phone', 30),
    custom('region', 'Region', 'Picklist', { allowedValues: ['EMEA', 'APAC', 'Americas'] }),
    custom('contract_value', 'Contract Value', 'Currency', { decimalPlaces: 2 }),
    custom('contact_count', 'Contact Count', 'Number'),
    custom('renewal_date', 'Renewal Date', 'Date'),
  ],
  calls: [
    system('subject', 'Subject', 'Text', 255, { mandatory: true }),
    system('startTime', 'Call Start Time', 'DateTime', 50, { mandatory: true }),
    system('direction', 'Call Type', 'Picklist', 120, { allowedValues: ['inbound', 'outbound'] }),
    system('status', 'Status', 'Picklist', 120, { allowedValues: ['Not Started', 'Completed'] }),
    custom('call_outcome', 'Call Outcome', 'Picklist', { allowedValues: ['Resolved', 'Callback needed', 'Voicemail', 'No answer'] }),
    custom('satisfaction_score', 'Satisfaction Score', 'Decimal', { decimalPlaces: 1 }),
    custom('recorded', 'Recorded', 'Boolean'),
  ],
};

const LANGUAGES = ['English', 'Deutsch', 'Français', 'Español', 'Nederlands', '日本語'];
const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The answer of GET /organizationFields?module=…: system fields first, then custom ones. */
export function fieldsJson(portal: Portal, module: FieldModule) {
  const moduleIndex = FIELD_MODULES.indexOf(module);
  return FIELDS[module].map((f, i) => ({
    id: makeId(portal.idPrefix, 'field', moduleIndex * 100 + i + 1),
    apiName: f.apiName,
    displayLabel: f.displayLabel,
    i18NLabel: f.displayLabel,
    name: f.apiName,
    type: f.type,
    isCustomField: f.custom,
    isMandatory: f.mandatory ?? false,
    isEncryptedField: false,
    isTrackLastActivityTime: false,
    maxLength: f.maxLength,
    // The tickets module's variants add showToHelpCenter (Field.json *ForTickets).
    ...(module === 'tickets' && { showToHelpCenter: !f.custom }),
    ...(f.allowedValues && {
      allowedValues:
        module === 'tickets' && f.apiName === 'status'
          ? TICKET_STATUSES.map(([value, statusType]) => ({ statusType, value }))
          : f.allowedValues.map((value) => ({ value })),
    }),
    ...(f.decimalPlaces !== undefined && { decimalPlaces: f.decimalPlaces }),
    ...(f.type === 'Currency' && { roundingOption: 'normal', roundingPrecision: f.decimalPlaces ?? 2 }),
    ...(f.type === 'Boolean' && { defaultValue: 'false' }),
  }));
}

const customFields = (module: FieldModule) => FIELDS[module].filter((f) => f.custom);

function generated(f: FieldDefinition, rnd: Random, createdTime: number): string | null {
  if (rnd.chance(0.2)) return null;
  switch (f.type) {
    case 'Picklist':
      return rnd.pick(f.allowedValues ?? ['']);
    case 'Number':
      return String(rnd.int(1, 50));
    case 'Percent':
      return (rnd.int(0, 1000) / 10).toFixed(1);
    case 'Decimal':
      return (rnd.int(10, 50) / 10).toFixed(f.decimalPlaces ?? 1);
    case 'Currency':
      return (rnd.int(1_000, 5_000_000) / 100).toFixed(f.decimalPlaces ?? 2);
    case 'Date':
      return isoDate(createdTime + rnd.int(-30, 30) * DAY);
    case 'Boolean':
      return rnd.chance(0.5) ? 'true' : 'false';
    default:
      return rnd.pick(LANGUAGES);
  }
}

/** A record's custom field values: from the seed and its id (the last 9 digits: unique within a kind), then any edits. */
export function cfValues(portal: Portal, module: FieldModule, record: { id: string; createdTime: number }): Record<string, string | null> {
  const rnd = Random.derive(portal.seed, 0xcf, FIELD_MODULES.indexOf(module), Number(record.id.slice(-9)));
  const values: Record<string, string | null> = {};
  for (const f of customFields(module)) values[f.apiName] = generated(f, rnd, record.createdTime);
  return { ...values, ...portal.cfEdits.get(record.id) };
}

function changed(f: FieldDefinition, current: string | null, rnd: Random, now: number): string {
  const number = Number(current ?? 0);
  switch (f.type) {
    case 'Picklist':
      return rnd.pick((f.allowedValues ?? []).filter((v) => v !== current));
    case 'Boolean':
      return current === 'true' ? 'false' : 'true';
    case 'Number':
      return String(number + rnd.int(1, 5));
    case 'Percent':
      return ((number + rnd.int(1, 100) / 10) % 100).toFixed(1);
    case 'Decimal':
    case 'Currency':
      return (number + rnd.int(1, 9) / 10).toFixed(f.decimalPlaces ?? 1);
    case 'Date':
      return isoDate((current ? Date.parse(current) : now) + rnd.int(1, 30) * DAY);
    default:
      return rnd.pick(LANGUAGES.filter((v) => v !== current));
  }
}

/** Sets one custom field of the record to a new value (never the one it had); returns its apiName. */
export function editCustomField(portal: Portal, module: FieldModule, record: { id: string; createdTime: number }, rnd: Random, now: number): string {
  const f = rnd.pick(customFields(module));
  const current = cfValues(portal, module, record)[f.apiName] ?? null;
  portal.cfEdits.set(record.id, { ...portal.cfEdits.get(record.id), [f.apiName]: changed(f, current, rnd, now) });
  return f.apiName;
}
