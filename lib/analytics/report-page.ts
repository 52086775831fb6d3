import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chartHasData, type ChartData, type Counts, type ReportData } from './report-data.js';

/**
 * One self-contained HTML page: Chart.js (bundled from node_modules, not a CDN), the data as JSON, and a
 * small script drawing each chart. Its Content-Security-Policy allows no network at all and only these two
 * scripts (by hash), so the page opens offline, from a mail attachment, and names from Zoho cannot run code.
 */

export async function chartJsSource(): Promise<string> {
  // chart.js exports no path to its browser build, so it is found next to the package's main file.
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFile(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

const PALETTE = ['#2563eb', '#f59e0b', '#dc2626', '#16a34a', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#475569'];
/** Ratings and statuses in the colours people expect. */
const NAMED_COLOURS: Record<string, string> = {
  GOOD: '#16a34a',
  OKAY: '#f59e0b',
  OK: '#f59e0b',
  BAD: '#dc2626',
  Open: '#2563eb',
  'On Hold': '#f59e0b',
  Escalated: '#dc2626',
  Closed: '#94a3b8',
  Billable: '#16a34a',
  'Not billable': '#94a3b8',
};

/** Unassigned and other labels set apart from the rest: grey, after a darker rule. */
const APART_COLOUR = '#94a3b8';

/**
 * Draws every chart, then says what it drew on window.__report (the browser test reads it). A chart with
 * counts shows each label's count under it and in the tooltip, and draws labels with few records hollow and
 * dashed (lines) or pale (bars); labels set apart (Unassigned) are grey, after a rule.
 */
const DRAW = `
const data = JSON.parse(document.getElementById('report-data').textContent);
const palette = ${JSON.stringify(PALETTE)};
const named = ${JSON.stringify(NAMED_COLOURS)};
const apartColour = ${JSON.stringify(APART_COLOUR)};
// the rule of isFew (report-page.ts), here in the page
const isFew = (c, i) => Boolean(c.counts && c.counts.few && c.counts.data[i] > 0 && c.counts.data[i] < c.counts.few);
const isApart = (c, i) => c.apartFrom !== undefined && i >= c.apartFrom;
const countText = (c, i) => {
  const n = c.counts.data[i];
  return n + ' ' + c.counts.noun + (n === 1 ? '' : 's') + (isFew(c, i) ? ' (few)' : '');
};
const withUnit = (c, value) => (c.unit === undefined ? value : c.unit === '%' ? value + '%' : value + ' ' + c.unit);
const drawn = [];
for (const c of data.charts) {
  const canvas = document.getElementById('chart-' + c.id);
  // the rule of chartHasData (report-data.ts), here in the page
  const hasData = c.labels.length > 0 && c.series.some((s) => s.data.some((v) => v !== null && v !== 0));
  if (!hasData) {
    canvas.replaceWith(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'No data for this chart in the export.' }));
    drawn.push({ id: c.id, rendered: false, points: 0 });
    continue;
  }
  const datasets = c.series.map((s, i) => {
    const colour = named[s.label] || palette[i % palette.length];
    const dataset = { label: s.label, data: s.data, backgroundColor: colour, borderColor: colour, spanGaps: false, tension: 0 };
    if (c.kind === 'line') {
      Object.assign(dataset, {
        pointBackgroundColor: (p) => (isFew(c, p.dataIndex) ? '#ffffff' : colour),
        pointRadius: (p) => (isFew(c, p.dataIndex) ? 5 : 3),
        pointBorderWidth: 2,
        segment: { borderDash: (p) => (isFew(c, p.p0DataIndex) || isFew(c, p.p1DataIndex) ? [6, 4] : undefined) },
      });
    } else {
      dataset.backgroundColor = (p) => (p.dataIndex === undefined ? colour : isApart(c, p.dataIndex) ? apartColour : isFew(c, p.dataIndex) ? colour + '66' : colour);
    }
    return dataset;
  });
  // Counts get whole-number ticks; hours and shares do not.
  const whole = c.series.every((s) => s.data.every((v) => v === null || Number.isInteger(v)));
  const valueAxis = { stacked: c.stacked, beginAtZero: true, ticks: whole ? { precision: 0 } : {}, title: { display: true, text: c.yTitle } };
  const labelAxis = { stacked: c.stacked };
  if (c.counts) {
    // a category tick's value is its label's index
    labelAxis.ticks = {
      callback(value) { return [this.getLabelForValue(value), countText(c, value)]; },
      color: (t) => (isFew(c, t.index) ? '#b45309' : '#475569'),
    };
  }
  if (c.apartFrom !== undefined) {
    // the rule between the last agent and Unassigned
    labelAxis.grid = { color: (g) => (g.index === c.apartFrom ? '#475569' : 'rgba(0, 0, 0, 0.1)'), lineWidth: (g) => (g.index === c.apartFrom ? 2 : 1) };
  }
  const tooltip = {
    callbacks: {
      label: (item) => item.dataset.label + ': ' + withUnit(c, item.formattedValue),
      footer: (items) => (c.counts && items.length ? countText(c, items[0].dataIndex) : ''),
    },
  };
  const chart = new Chart(canvas, {
    type: c.kind,
    data: { labels: c.labels, datasets },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: c.horizontal ? 'y' : 'x',
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom' }, tooltip },
      scales: c.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
    },
  });
  const points = chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null && v !== 0).length, 0);
  drawn.push({ id: c.id, rendered: true, points, datasets: chart.data.datasets.length, labels: chart.data.labels.length });
}
window.__report = { charts: drawn };
document.body.dataset.rendered = 'true';
`;

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #0f172a; background: #f8fafc; }
header { padding: 24px 32px 8px; }
h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: #475569; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; padding: 12px 32px; margin: 0; }
.figures div { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.figures dt { color: #475569; font-size: 13px; }
.figures dd { margin: 0; font-size: 20px; font-weight: 600; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; padding: 12px 32px 32px; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 16px; }
h2 { margin: 0; font-size: 17px; }
section p { margin: 2px 0 10px; color: #475569; font-size: 13px; }
.chart { position: relative; height: 320px; }
.empty { color: #94a3b8; font-style: italic; }
details { margin-top: 10px; font-size: 13px; }
summary { cursor: pointer; color: #475569; }
table { border-collapse: collapse; margin-top: 6px; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #e2e8f0; }
th:first-child, td:first-child { text-align: left; }
tr.few td { color: #b45309; font-style: italic; }
tr.apart td { border-top: 2px solid #475569; color: #475569; }
@media print { main { grid-template-columns: 1fr; } section { break-inside: avoid; } }
`;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

/** JSON safe inside <script>: no "</script>" or "<!--" can close it, whatever a ticket subject says. */
export const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** A label with some records but fewer than `few`: DRAW has the same rule. */
const isFew = (counts: Counts, index: number) => {
  const n = counts.data[index] ?? 0;
  return counts.few !== undefined && n > 0 && n < counts.few;
};

/** The numbers behind a chart with counts: one row per label, its count beside its values. */
function numbersTable(c: ChartData): string {
  const counts = c.counts;
  if (!counts || !chartHasData(c)) return '';
  const unit = c.unit ? ` (${c.unit})` : '';
  const head = [c.labelTitle ?? '', `${counts.noun[0]?.toUpperCase()}${counts.noun.slice(1)}s`, ...c.series.map((s) => `${s.label}${unit}`)];
  const body = c.labels.map((label, i) => {
    const kind = [isFew(counts, i) ? 'few' : '', c.apartFrom !== undefined && i === c.apartFrom ? 'apart' : ''].filter(Boolean).join(' ');
    const few = isFew(counts, i) ? ' (few)' : '';
    const cells = [
      label,
      `${counts.data[i] ?? 0}${few}`,
      ...c.series.map((s) => (s.data[i] === null || s.data[i] === undefined ? '—' : String(s.data[i]))),
    ];
    return `<tr${kind ? ` class="${kind}"` : ''}>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
  });
  return `<details><summary>The numbers, with the ${escapeHtml(counts.noun)}s behind each</summary><table>
<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody>
</table></details>`;
}

const hash = (script: string) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`;

export function reportPage(data: ReportData, chartJs: string): string {
  const csp = `default-src 'none'; script-src ${hash(chartJs)} ${hash(DRAW)}; style-src 'unsafe-inline'; img-src data:`;
  const asOf = data.latestRun ? `Newest run in the export: ${data.latestRun}.` : 'The export has no runs yet.';
  const sections = data.charts
    .map(
      (c) => `<section id="${escapeHtml(c.id)}">
  <h2>${escapeHtml(c.title)}</h2>
  <p>${escapeHtml(c.note)}</p>
  <div class="chart"><canvas id="chart-${escapeHtml(c.id)}" role="img" aria-label="${escapeHtml(c.title)}"></canvas></div>
  ${numbersTable(c)}
</section>`,
    )
    .join('\n');
  const figures = data.figures.map((f) => `<div><dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd></div>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(data.title)}</h1>
  <p>${escapeHtml(asOf)} Generated ${escapeHtml(data.generatedAt)} by zoho-desk-reports from the latest version of each record.</p>
</header>
<dl class="figures">${figures}</dl>
<main>
${sections}
</main>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${chartJs}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}
