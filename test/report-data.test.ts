import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalWarehouse } from '../lib/analytics/local-warehouse.js';
import { FEW_RATINGS, reportData, type ChartData, type ReportData } from '../lib/analytics/report-data.js';
import { writePage } from './helpers/export.js';
import { tempDir } from './helpers/zoho.js';

// The report's numbers, from records whose answers are known by hand.

const RUN = '2026-03-02T04-00-00Z-aaaa';
/** a later run: newer versions of a ticket and a rating, which the report must count instead of the old ones */
const RUN2 = '2026-03-03T04-00-00Z-bbbb';
const SUPPORT = '6483605000001000001';
const BILLING = '6483605000001000002';
const ANA = '6483605000002000001';
const ZOE = '6483605000002000002';
const T1 = '6483605000100000001';
const T2 = '6483605000100000002';
const T3 = '6483605000100000003';
const T4 = '6483605000100000004';
const T5 = '6483605000100000005';

const ticket = (id: string, fields: Record<string, unknown>) => ({
  id,
  departmentId: SUPPORT,
  channel: 'Email',
  isSpam: false,
  modifiedTime: '2026-03-01T00:00:00Z',
  ...fields,
});
const thread = (id: string, direction: string, createdTime: string) => ({ id, direction, createdTime });

let dir: { path: string; remove(): Promise<void> };
let data: ReportData;
const chart = (id: string): ChartData => data.charts.find((c) => c.id === id) as ChartData;
const series = (c: ChartData) => Object.fromEntries(c.series.map((s) => [s.label, s.data]));

beforeAll(async () => {
  dir = await tempDir();
  const root = dir.path;
  await writePage(root, 'departments', RUN, '', 1, [
    { id: SUPPORT, name: 'Support' },
    { id: BILLING, name: 'Billing' },
  ]);
  // Zoe sorts after "Unassigned": the Unassigned row still comes last
  await writePage(root, 'agents', RUN, '', 1, [
    { id: ANA, name: 'Ana' },
    { id: ZOE, name: 'Zoe' },
  ]);
  await writePage(root, 'tickets', RUN, 'window=0001/', 1, [
    // Ana: first reply after 2 h, closed after 12 h; and a ticket replied to after 4 h, still open
    ticket(T1, { status: 'Closed', statusType: 'Closed', assigneeId: ANA, createdTime: '2026-01-05T09:00:00Z', closedTime: '2026-01-05T21:00:00Z' }),
    ticket(T2, { status: 'Open', statusType: 'Open', assigneeId: ANA, createdTime: '2026-01-20T10:00:00Z', channel: 'Web' }),
    // Billing: one on hold, and a spam ticket that is not backlog
    ticket(T3, {
      status: 'On Hold',
      statusType: 'On Hold',
      assigneeId: ZOE,
      departmentId: BILLING,
      createdTime: '2026-03-01T08:00:00Z',
      closedTime: null,
    }),
    // no assignee field at all; in the second run, a ticket Zoe had is now closed with its assignee null
    ticket(T4, { status: 'Open', statusType: 'Open', departmentId: BILLING, isSpam: true, createdTime: '2026-03-01T09:00:00Z' }),
    ticket(T5, { status: 'Open', statusType: 'Open', assigneeId: ZOE, createdTime: '2026-02-26T10:00:00Z', modifiedTime: '2026-02-27T00:00:00Z' }),
  ]);
  await writePage(root, 'tickets', RUN2, 'window=0001/', 1, [
    ticket(T5, {
      status: 'Closed',
      statusType: 'Closed',
      assigneeId: null,
      createdTime: '2026-02-26T10:00:00Z',
      closedTime: '2026-03-01T10:00:00Z',
      modifiedTime: '2026-03-01T10:00:00Z',
    }),
  ]);
  await writePage(root, 'threads', RUN, `ticket=${T1}/`, 1, [
    thread('1', 'in', '2026-01-05T09:00:00Z'),
    thread('2', 'out', '2026-01-05T11:00:00Z'),
    thread('3', 'out', '2026-01-05T15:00:00Z'),
  ]);
  await writePage(root, 'threads', RUN, `ticket=${T2}/`, 1, [thread('4', 'in', '2026-01-20T10:00:00Z'), thread('5', 'out', '2026-01-20T14:00:00Z')]);
  await writePage(root, 'threads', RUN, `ticket=${T5}/`, 1, [thread('6', 'in', '2026-02-26T10:00:00Z'), thread('7', 'out', '2026-02-26T16:00:00Z')]);
  await writePage(root, 'agent-time-entries', RUN, `agent=${ANA}/`, 1, [
    { id: '71', isBillable: true, hoursSpent: '1', minutesSpent: '30', secondsSpent: '0' },
    { id: '72', isBillable: false, hoursSpent: '0', minutesSpent: '45', secondsSpent: '0' },
  ]);
  await writePage(root, 'customer-happiness', RUN, `department=${SUPPORT}/`, 1, [
    { id: '81', rating: 'GOOD', ratedTime: '2026-01-06T00:00:00Z' },
    { id: '82', rating: 'BAD', ratedTime: '2026-01-07T00:00:00Z' },
    { id: '83', rating: 'GOOD', ratedTime: '2026-03-01T00:00:00Z' },
    { id: '84', rating: 'GOOD', ratedTime: '2026-03-01T12:00:00Z' },
    // April: five ratings, just enough not to be few
    ...['85', '86', '87', '88'].map((id) => ({ id, rating: 'GOOD', ratedTime: '2026-04-02T00:00:00Z' })),
    { id: '89', rating: 'OK', ratedTime: '2026-04-03T00:00:00Z' },
  ]);
  await writePage(root, 'customer-happiness', RUN2, `department=${SUPPORT}/`, 1, [{ id: '84', rating: 'BAD', ratedTime: '2026-03-01T12:00:00Z' }]);
  await writePage(root, 'email-failures', RUN, `department=${SUPPORT}/`, 1, [
    { ticketId: T1, threadId: '2', reason: 'Mailbox full', createdTime: '2026-01-05T11:00:00Z' },
  ]);
  const warehouse = await LocalWarehouse.open(root);
  try {
    data = await reportData(warehouse, { generatedAt: '2026-03-02 12:00 UTC', latestRun: RUN });
  } finally {
    warehouse.close();
  }
});

afterAll(async () => {
  await dir?.remove();
});

describe('the report data', () => {
  it('counts tickets per week when the export spans under four months, every week shown', () => {
    const c = chart('volume-by-status');
    expect(c.labels[0]).toBe('2026-01-05');
    expect(c.labels.at(-1)).toBe('2026-02-23');
    expect(c.labels).toHaveLength(8);
    expect(series(c)).toEqual({ Open: [0, 0, 1, 0, 0, 0, 0, 1], 'On Hold': [0, 0, 0, 0, 0, 0, 0, 1], Closed: [1, 0, 0, 0, 0, 0, 0, 1] });
    expect(series(chart('volume-by-channel'))).toEqual({ Email: [1, 0, 0, 0, 0, 0, 0, 3], Web: [0, 0, 1, 0, 0, 0, 0, 0] });
  });

  it('counts as backlog what is neither closed nor spam, by department name', () => {
    const c = chart('backlog-by-department');
    expect(c.labels).toEqual(['Billing', 'Support']);
    expect(series(c)).toEqual({ Open: [0, 1], 'On Hold': [1, 0] });
  });

  it('measures first response to the first outgoing thread (median hours), per agent, then Unassigned', () => {
    const c = chart('first-response');
    // Ana's replies took 2 h and 4 h: median 3. Zoe's one ticket has no reply. T5, Zoe's in the first run,
    // has no assignee now: its 6 h are Unassigned's, beside spam T4 that has none.
    expect(c.labels).toEqual(['Ana', 'Zoe', 'Unassigned']);
    expect(series(c)).toEqual({ 'First response': [3, null, 6] });
    expect(c.counts).toEqual({ noun: 'replied ticket', data: [2, 0, 1] });
    expect(c).toMatchObject({ unit: 'h', yTitle: 'hours (median)', apartFrom: 2 });
  });

  it('measures resolution to closing in days (median), per agent, then Unassigned for the tickets with no assignee now', () => {
    const c = chart('resolution');
    // T1 closed after 12 h (0.5 days); T5 after 3 days, closed with no assignee (latest version)
    expect(c.labels).toEqual(['Ana', 'Zoe', 'Unassigned']);
    expect(series(c)).toEqual({ Resolution: [0.5, null, 3] });
    expect(c.counts).toEqual({ noun: 'closed ticket', data: [1, 0, 1] });
    expect(c).toMatchObject({ unit: 'days', yTitle: 'days (median)', apartFrom: 2 });
    // resolution appears nowhere else, and nowhere in hours
    expect(data.charts.filter((x) => /resolution/i.test(`${x.title} ${x.series.map((s) => s.label)}`)).map((x) => x.id)).toEqual(['resolution']);
  });

  it('adds up time entries in hours, billable and not', () => {
    expect(series(chart('agent-time'))).toEqual({ Billable: [1.5], 'Not billable': [0.8] });
  });

  it('shows happiness as shares per month beside the number of ratings, from the latest version of each rating', () => {
    const c = chart('happiness');
    expect(c.labels).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    // March: rating 84 was GOOD, then BAD in the second run: counted once, as BAD. February: a gap, not a zero.
    expect(series(c)).toEqual({ GOOD: [50, null, 50, 80], OK: [0, null, 0, 20], BAD: [50, null, 50, 0] });
    expect(c.counts).toEqual({ noun: 'rating', data: [2, 0, 2, 5], few: FEW_RATINGS });
    expect(FEW_RATINGS).toBe(5);
  });

  it('counts email failures per month and reason; sums up the headline figures', () => {
    expect(series(chart('email-failure-reasons'))).toEqual({ 'Mailbox full': [1] });
    expect(data.figures).toEqual([
      { label: 'Tickets', value: '5' },
      { label: 'Open now', value: '2' },
      { label: 'Closed', value: '2' },
      { label: 'Good ratings', value: '67% (6 of 9)' },
      { label: 'Tickets created', value: '2026-01-05 – 2026-03-01' },
    ]);
  });
});
