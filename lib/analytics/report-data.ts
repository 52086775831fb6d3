import type { LocalWarehouse } from './local-warehouse.js';

/**
 * What the report page shows, computed from the `_latest` views: each chart is labels and series of numbers,
 * ready for Chart.js. DuckDB SQL: the README has the Athena versions of the main questions.
 */

export interface Series {
  label: string;
  data: Array<number | null>;
}

/** How many records stand behind each label's values (ratings in a month, closed tickets of an agent). */
export interface Counts {
  /** what is counted, singular: the page adds an "s" for any other number ("rating", "closed ticket") */
  noun: string;
  /** one number for each label */
  data: number[];
  /** labels with at least one record but fewer than this are marked as few: one record moves their values a lot */
  few?: number;
}

export interface ChartData {
  id: string;
  title: string;
  /** one sentence under the title: what is counted and from which view */
  note: string;
  kind: 'bar' | 'line';
  stacked: boolean;
  horizontal: boolean;
  yTitle: string;
  labels: string[];
  series: Series[];
  /** the unit of a value in tooltips and the table: "%", "h", "days" */
  unit?: string;
  /** what a label is, heading the table's first column ("Month", "Agent") */
  labelTitle?: string;
  /** shown beside the values: under each label, in the tooltip, and in a table of the numbers */
  counts?: Counts;
  /** labels from this index on are not of a kind with those before (Unassigned after the agents): drawn apart */
  apartFrom?: number;
}

export interface Figure {
  label: string;
  value: string;
}

export interface ReportData {
  title: string;
  generatedAt: string;
  /** the newest run in the export and the first and last day it covers */
  latestRun: string | null;
  figures: Figure[];
  charts: ChartData[];
}

type Row = unknown[];

/** A chart worth drawing: some label with a value other than nothing or zero. */
export const chartHasData = (chart: ChartData) => chart.labels.length > 0 && chart.series.some((s) => s.data.some((v) => v !== null && v !== 0));

/** The row of tickets with no assignee, after the agents. */
export const UNASSIGNED = 'Unassigned';
/** A month with fewer ratings than this is marked as few: its shares move 25 points or more with one rating. */
export const FEW_RATINGS = 5;

const text = (v: unknown) => (v === null || v === undefined ? '(none)' : String(v));
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

type Period = 'month' | 'week';

/** Every month (YYYY-MM) or week (its Monday, YYYY-MM-DD) from the first label to the last: no silent gaps. */
export function periodsBetween(first: string, last: string, period: Period): string[] {
  const out: string[] = [];
  const at = new Date(`${period === 'month' ? `${first}-01` : first}T00:00:00Z`);
  const end = new Date(`${period === 'month' ? `${last}-01` : last}T00:00:00Z`);
  while (at <= end && out.length < 10_000) {
    out.push(at.toISOString().slice(0, period === 'month' ? 7 : 10));
    if (period === 'month') at.setUTCMonth(at.getUTCMonth() + 1);
    else at.setUTCDate(at.getUTCDate() + 7);
  }
  return out;
}

interface PivotOptions {
  /** the order of known series names; others follow */
  order?: readonly string[];
  /** labels are periods: fill the ones with no rows */
  period?: Period;
  /** a period with no rows at all: 0 for counts, null for shares (a gap in the line, not a zero) */
  emptyPeriod?: 0 | null;
}

/** Rows of (label, series, value) → labels in first-seen order and one series per distinct name. */
function pivot(rows: Row[], options: PivotOptions = {}): { labels: string[]; series: Series[] } {
  let labels = [...new Set(rows.map((r) => text(r[0])))];
  if (options.period && labels.length > 0) labels = periodsBetween(labels[0] as string, labels.at(-1) as string, options.period);
  const names = [...new Set(rows.map((r) => text(r[1])))];
  const order = options.order;
  if (order) names.sort((a, b) => rank(order, a) - rank(order, b));
  const seen = new Set(rows.map((r) => text(r[0])));
  const empty = options.emptyPeriod === undefined ? 0 : options.emptyPeriod;
  const series = names.map((label) => ({ label, data: labels.map((l): number | null => (seen.has(l) ? 0 : empty)) }));
  for (const [label, name, value] of rows) {
    const s = series.find((x) => x.label === text(name));
    if (s) s.data[labels.indexOf(text(label))] = num(value);
  }
  return { labels, series };
}

const rank = (order: readonly string[], name: string) => (order.includes(name) ? order.indexOf(name) : order.length);

/** Months when the tickets span more than four months, else weeks (Monday first). */
async function bucket(warehouse: LocalWarehouse): Promise<{ sql: string; name: Period }> {
  const [[days] = []] = await rows(warehouse, "SELECT date_diff('day', min(created_time), max(created_time)) FROM tickets_latest");
  return Number(days ?? 0) > 120
    ? { sql: "strftime(date_trunc('month', created_time), '%Y-%m')", name: 'month' }
    : { sql: "strftime(date_trunc('week', created_time), '%Y-%m-%d')", name: 'week' };
}

/** not closed and not spam; `table` qualifies the columns in a join */
const isOpen = (table = '') => `coalesce(${table}statusType, '') <> 'Closed' AND NOT coalesce(${table}isSpam, false)`;

async function rows(warehouse: LocalWarehouse, sql: string): Promise<Row[]> {
  return (await warehouse.query(sql)).rows;
}

/** `latestRun`: the newest run id in the export's `_runs/` (reading every view for it would cost more than the charts). */
export async function reportData(warehouse: LocalWarehouse, about: { generatedAt: string; latestRun: string | null }): Promise<ReportData> {
  const period = await bucket(warehouse);
  const charts: ChartData[] = [];
  const chart = (c: Omit<ChartData, 'labels' | 'series'>, data: { labels: string[]; series: Series[] }) => charts.push({ ...c, ...data });

  const overTime = (column: string) =>
    `SELECT ${period.sql} AS period, coalesce(${column}, '(none)') AS name, count(*) FROM tickets_latest
     WHERE created_time IS NOT NULL GROUP BY ALL ORDER BY period, name`;
  chart(
    {
      id: 'volume-by-status',
      title: 'Tickets created, by status',
      note: `Tickets created per ${period.name}, split by their status now (tickets_latest).`,
      kind: 'bar',
      stacked: true,
      horizontal: false,
      yTitle: 'tickets created',
    },
    pivot(await rows(warehouse, overTime('status')), { order: ['Open', 'On Hold', 'Escalated', 'Closed'], period: period.name }),
  );
  chart(
    {
      id: 'volume-by-channel',
      title: 'Tickets created, by channel',
      note: `Tickets created per ${period.name}, by the channel they came in on (tickets_latest).`,
      kind: 'bar',
      stacked: true,
      horizontal: false,
      yTitle: 'tickets created',
    },
    pivot(await rows(warehouse, overTime('channel')), { period: period.name }),
  );
  chart(
    {
      id: 'backlog-by-department',
      title: 'Open backlog, by department',
      note: 'Tickets not closed (spam excluded), by department and status (tickets_latest, departments_latest).',
      kind: 'bar',
      stacked: true,
      horizontal: true,
      yTitle: 'open tickets',
    },
    pivot(
      await rows(
        warehouse,
        `SELECT coalesce(d.name, t.departmentId) AS department, t.status, count(*) FROM tickets_latest t
         LEFT JOIN departments_latest d ON d.id = t.departmentId WHERE ${isOpen('t.')}
         GROUP BY ALL ORDER BY department, t.status`,
      ),
      { order: ['Open', 'On Hold', 'Escalated'] },
    ),
  );
  // By assignee, from the current version of each ticket: agents by name, then one "Unassigned" row for tickets
  // whose assignee is null, never mixed into the agents nor left out. Grouped by id: two agents may share a name.
  // First response: the ticket's first outgoing thread, median hours; resolution: closedTime, median days.
  const byAssignee = await rows(
    warehouse,
    `WITH first_reply AS (SELECT ticket_id, min(created_time) AS replied FROM threads_latest WHERE direction = 'out' GROUP BY ticket_id),
     assigned AS (SELECT NULLIF(t.assigneeId, '') AS assignee, date_diff('second', t.created_time, r.replied) AS to_reply,
         date_diff('second', t.created_time, t.closed_time) AS to_close
       FROM tickets_latest t LEFT JOIN first_reply r ON r.ticket_id = t.id)
     SELECT x.assignee IS NULL AS unassigned, CASE WHEN x.assignee IS NULL THEN '${UNASSIGNED}' ELSE coalesce(a.name, x.assignee) END AS agent,
       count(x.to_reply) AS replied, round(median(x.to_reply) / 3600, 1) AS first_response_hours,
       count(x.to_close) AS closed, round(median(x.to_close) / 86400, 1) AS resolution_days
     FROM assigned x LEFT JOIN agents_latest a ON a.id = x.assignee
     GROUP BY x.assignee, a.name ORDER BY unassigned, agent, x.assignee`,
  );
  const assignees = byAssignee.map((r) => text(r[1]));
  const firstUnassigned = byAssignee.findIndex((r) => r[0] === true);
  const apart = firstUnassigned < 0 ? {} : { apartFrom: firstUnassigned };
  const whose = 'Unassigned: the tickets with no assignee';
  chart(
    {
      id: 'first-response',
      title: 'First response time, by agent',
      kind: 'bar',
      stacked: false,
      horizontal: true,
      yTitle: 'hours (median)',
      unit: 'h',
      labelTitle: 'Agent',
      note: `Median hours from creation to the first outgoing thread, over the replied tickets each assignee has now. ${whose} (tickets_latest, threads_latest, agents_latest).`,
      counts: { noun: 'replied ticket', data: byAssignee.map((r) => Number(r[2])) },
      ...apart,
    },
    { labels: assignees, series: [{ label: 'First response', data: byAssignee.map((r) => num(r[3])) }] },
  );
  chart(
    {
      id: 'resolution',
      title: 'Resolution time, by agent',
      kind: 'bar',
      stacked: false,
      horizontal: true,
      yTitle: 'days (median)',
      unit: 'days',
      labelTitle: 'Agent',
      note: `Median days from creation to closing, over the closed tickets each assignee has now. ${whose} (tickets_latest, agents_latest).`,
      counts: { noun: 'closed ticket', data: byAssignee.map((r) => Number(r[4])) },
      ...apart,
    },
    { labels: assignees, series: [{ label: 'Resolution', data: byAssignee.map((r) => num(r[5])) }] },
  );
  chart(
    {
      id: 'agent-time',
      title: 'Time logged, by agent',
      note: 'Hours in agent time entries, billable or not (agent_time_entries_latest).',
      kind: 'bar',
      stacked: true,
      horizontal: true,
      yTitle: 'hours',
    },
    pivot(
      await rows(
        warehouse,
        `SELECT coalesce(a.name, e.agent_id) AS agent, CASE WHEN e.isBillable THEN 'Billable' ELSE 'Not billable' END AS kind,
           round(sum(coalesce(TRY_CAST(e.hoursSpent AS DOUBLE), 0) + coalesce(TRY_CAST(e.minutesSpent AS DOUBLE), 0) / 60
             + coalesce(TRY_CAST(e.secondsSpent AS DOUBLE), 0) / 3600), 1) AS hours
         FROM agent_time_entries_latest e LEFT JOIN agents_latest a ON a.id = e.agent_id GROUP BY ALL ORDER BY agent, kind`,
      ),
      { order: ['Billable', 'Not billable'] },
    ),
  );
  // Shares swing with few ratings (one of two is 50 points), so each month carries its number of ratings.
  const happiness = pivot(
    await rows(
      warehouse,
      `SELECT strftime(date_trunc('month', rated_time), '%Y-%m') AS month, rating,
         round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY month), 1) AS share
       FROM customer_happiness_latest WHERE rated_time IS NOT NULL GROUP BY 1, 2 ORDER BY month, rating`,
    ),
    { order: ['GOOD', 'OKAY', 'OK', 'BAD'], period: 'month', emptyPeriod: null },
  );
  const ratings = new Map(
    (
      await rows(
        warehouse,
        "SELECT strftime(date_trunc('month', rated_time), '%Y-%m'), count(*) FROM customer_happiness_latest WHERE rated_time IS NOT NULL GROUP BY 1",
      )
    ).map((r) => [text(r[0]), Number(r[1])]),
  );
  chart(
    {
      id: 'happiness',
      title: 'Customer happiness',
      kind: 'line',
      stacked: false,
      horizontal: false,
      yTitle: '% of ratings',
      unit: '%',
      labelTitle: 'Month',
      note: `Share of ratings per month, in percent, with the number of ratings under each month; hollow points on a dashed line: fewer than ${FEW_RATINGS} ratings, where one rating moves a share by ${Math.ceil(100 / (FEW_RATINGS - 1))} points or more (customer_happiness_latest).`,
      counts: { noun: 'rating', data: happiness.labels.map((month) => ratings.get(month) ?? 0), few: FEW_RATINGS },
    },
    happiness,
  );
  chart(
    {
      id: 'email-failure-reasons',
      title: 'Email delivery failures',
      note: 'Failed outgoing emails per month, by reason (email_failures_latest).',
      kind: 'bar',
      stacked: true,
      horizontal: false,
      yTitle: 'failures',
    },
    pivot(
      await rows(
        warehouse,
        `SELECT strftime(date_trunc('month', created_time), '%Y-%m') AS month, coalesce(reason, '(no reason given)'), count(*)
         FROM email_failures_latest WHERE created_time IS NOT NULL GROUP BY ALL ORDER BY month, 2`,
      ),
      { period: 'month' },
    ),
  );

  const [[tickets, open, closed] = []] = await rows(
    warehouse,
    `SELECT count(*), count(*) FILTER (WHERE ${isOpen()}), count(closed_time) FROM tickets_latest`,
  );
  const [[good, rated] = []] = await rows(warehouse, "SELECT count(*) FILTER (WHERE rating = 'GOOD'), count(*) FROM customer_happiness_latest");
  const [[from, to] = []] = await rows(warehouse, 'SELECT min(created_time)::DATE, max(created_time)::DATE FROM tickets_latest');
  const figures: Figure[] = [
    { label: 'Tickets', value: text(tickets) },
    { label: 'Open now', value: text(open) },
    { label: 'Closed', value: text(closed) },
    {
      label: 'Good ratings',
      value: Number(rated) > 0 ? `${Math.round((100 * Number(good)) / Number(rated))}% (${text(good)} of ${text(rated)})` : '—',
    },
    { label: 'Tickets created', value: from ? `${text(from)} – ${text(to)}` : '—' },
  ];
  return { title: 'Zoho Desk report', ...about, figures, charts };
}
