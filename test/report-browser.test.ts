/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath } from './helpers/browser.js';
import { cli, simulatedExport, writePage } from './helpers/export.js';
import { tempDir } from './helpers/zoho.js';

// The report page in a real browser: headless Chromium from Debian, opened from a file with no network.

const executablePath = chromiumPath();
const ARTEFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const CHARTS = [
  'volume-by-status',
  'volume-by-channel',
  'backlog-by-department',
  'first-response',
  'resolution',
  'agent-time',
  'happiness',
  'email-failure-reasons',
];

interface Drawn {
  id: string;
  rendered: boolean;
  points: number;
  datasets: number;
  labels: number;
}

let browser: Browser;

/** Opens a report file; collects every request and every console error or page error. */
async function open(html: string): Promise<{ page: Page; requests: string[]; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => problems.push(`a dialog opened: ${d.message()}`));
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction(() => document.body.dataset.rendered === 'true', undefined, { timeout: 30_000 });
  return { page, requests, problems };
}

describe.skipIf(!executablePath)('the report page in Chromium', () => {
  let exported: { path: string; remove(): Promise<void> };
  let html: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    exported = await simulatedExport();
    html = join(exported.path, 'report.html');
    const made = await cli(['report', '--from', exported.path, '--out', html]);
    expect(made.stderr).toEqual([]);
    expect(made.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await exported?.remove();
  });

  it('draws every chart with data from the simulated export, offline, without errors', async () => {
    const { page, requests, problems } = await open(html);
    const drawn = (await page.evaluate(() => (window as unknown as { __report: { charts: Drawn[] } }).__report.charts)) as Drawn[];
    expect(drawn.map((c) => c.id)).toEqual(CHARTS);
    for (const chart of drawn) {
      expect(chart.rendered, chart.id).toBe(true);
      expect(chart.datasets, chart.id).toBeGreaterThan(0);
      expect(chart.points, chart.id).toBeGreaterThan(0);
    }
    // The plot areas hold the series' colours: the data was painted, not only axes and legends.
    // (borderColor: a bar's backgroundColor is a function where some bars are set apart or few)
    type Drawing = { chartArea: { left: number; top: number; right: number; bottom: number }; data: { datasets: Array<{ borderColor: string }> } };
    const painted = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): Drawing } }).Chart.getChart(canvas);
        const colour = chart.data.datasets[0]?.borderColor ?? '';
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
        const { left, top, right, bottom } = chart.chartArea;
        const scale = canvas.width / canvas.clientWidth;
        const area = [left, top, right - left, bottom - top].map((v) => Math.round(v * scale)) as [number, number, number, number];
        const { data } = canvas.getContext('2d')!.getImageData(...area);
        let matching = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! > 200 && Math.abs(data[i]! - r!) < 8 && Math.abs(data[i + 1]! - g!) < 8 && Math.abs(data[i + 2]! - b!) < 8) matching++;
        }
        return { id: canvas.id, matching };
      }),
    );
    expect(painted.map((p) => p.id)).toEqual(CHARTS.map((id) => `chart-${id}`));
    for (const p of painted) expect(p.matching, p.id).toBeGreaterThan(20);
    // The simulated portal leaves some tickets unassigned: their row comes after the agents. Every month of
    // ratings says how many there were.
    const ticks = await page.evaluate(() => {
      const get = (window as unknown as { Chart: { getChart(id: string): Drawn2 } }).Chart.getChart;
      type Drawn2 = { scales: Record<string, { ticks: Array<{ label: string | string[] }> }> };
      const labels = (id: string, axis: string) => get(id).scales[axis]!.ticks.map((t) => t.label);
      return { resolution: labels('chart-resolution', 'y'), happiness: labels('chart-happiness', 'x') };
    });
    expect(ticks.resolution.at(-1)?.[0]).toBe('Unassigned');
    expect(ticks.resolution.slice(0, -1).map((l) => l[0])).not.toContain('Unassigned');
    for (const label of ticks.happiness) expect(label[1]).toMatch(/^\d+ ratings?( \(few\))?$/);
    expect(requests).toEqual([pathToFileURL(html).href]);
    expect(problems).toEqual([]);
    await mkdir(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, 'report.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('shows names from Zoho as text: a department named like a script tag runs nothing', async () => {
    const dir = await tempDir();
    try {
      const runId = '2026-11-20T04-00-00Z-aaaa';
      const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
      await writePage(dir.path, 'departments', runId, '', 1, [{ id: '6483605000001000001', name: evil }]);
      await writePage(dir.path, 'tickets', runId, 'window=0001/', 1, [
        {
          id: '6483605000100000001',
          status: 'Open',
          statusType: 'Open',
          channel: evil,
          departmentId: '6483605000001000001',
          createdTime: '2026-11-19T10:00:00.000Z',
        },
      ]);
      const target = join(dir.path, 'report.html');
      expect((await cli(['report', '--from', dir.path, '--out', target])).code).toBe(0);
      const { page, requests, problems } = await open(target);
      const drawn = (await page.evaluate(() => (window as unknown as { __report: { charts: Drawn[] } }).__report.charts)) as Drawn[];
      expect(drawn.find((c) => c.id === 'backlog-by-department')).toMatchObject({ rendered: true, points: 1 });
      // Charts with nothing to show say so instead of drawing empty axes.
      expect(drawn.find((c) => c.id === 'happiness')?.rendered).toBe(false);
      expect(await page.locator('#happiness .empty').textContent()).toContain('No data');
      expect(await page.locator('#happiness table').count()).toBe(0);
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(target).href]);
      await page.close();
    } finally {
      await dir.remove();
    }
  }, 60_000);

  it('shows the ratings of each month beside its shares, marks the months with few, and draws Unassigned apart, last', async () => {
    const dir = await tempDir();
    try {
      const runId = '2026-04-01T04-00-00Z-aaaa';
      const [support, ana, zoe] = ['6483605000001000001', '6483605000002000001', '6483605000002000002'];
      const ticket = (n: number, assigneeId: string | null, closedTime: string) => ({
        id: `648360500010000000${n}`,
        status: 'Closed',
        statusType: 'Closed',
        channel: 'Email',
        departmentId: support,
        assigneeId,
        createdTime: '2026-01-05T00:00:00.000Z',
        modifiedTime: closedTime,
        closedTime,
      });
      await writePage(dir.path, 'agents', runId, '', 1, [
        { id: ana, name: 'Ana' },
        { id: zoe, name: 'Zoe' },
      ]);
      await writePage(dir.path, 'tickets', runId, 'window=0001/', 1, [
        ticket(1, ana, '2026-01-07T00:00:00.000Z'),
        ticket(2, zoe, '2026-01-06T00:00:00.000Z'),
        ticket(3, null, '2026-01-09T00:00:00.000Z'),
      ]);
      await writePage(dir.path, 'threads', runId, 'ticket=6483605000100000003/', 1, [
        { id: '91', direction: 'out', createdTime: '2026-01-05T05:00:00.000Z' },
      ]);
      const rating = (id: string, value: string, ratedTime: string) => ({ id, rating: value, ratedTime });
      await writePage(dir.path, 'customer-happiness', runId, `department=${support}/`, 1, [
        rating('81', 'GOOD', '2026-01-08T00:00:00.000Z'),
        rating('82', 'BAD', '2026-01-09T00:00:00.000Z'),
        ...['83', '84', '85', '86'].map((id) => rating(id, 'GOOD', '2026-03-02T00:00:00.000Z')),
        rating('87', 'OK', '2026-03-03T00:00:00.000Z'),
      ]);
      const target = join(dir.path, 'report.html');
      expect((await cli(['report', '--from', dir.path, '--out', target])).code).toBe(0);
      const { page, problems } = await open(target);
      const seen = await page.evaluate(() => {
        type Element = { options: { backgroundColor: string } };
        type Drawing = {
          scales: Record<string, { ticks: Array<{ label: string | string[] }> }>;
          getDatasetMeta(i: number): { data: Element[] };
          tooltip: {
            setActiveElements(e: Array<{ datasetIndex: number; index: number }>, at: { x: number; y: number }): void;
            footer: string[];
            body: Array<{ lines: string[] }>;
          };
          update(): void;
        };
        const get = (id: string) => (window as unknown as { Chart: { getChart(id: string): Drawing } }).Chart.getChart(`chart-${id}`);
        const hover = (chart: Drawing, index: number, datasets: number) => {
          chart.tooltip.setActiveElements(
            [...Array(datasets).keys()].map((datasetIndex) => ({ datasetIndex, index })),
            { x: 0, y: 0 },
          );
          chart.update();
          return { body: chart.tooltip.body.map((b) => b.lines.join('')), footer: chart.tooltip.footer };
        };
        const rows = (id: string) =>
          [...document.querySelectorAll(`#${id} tbody tr`)].map((tr) => ({
            kind: tr.className,
            cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
          }));
        const happiness = get('happiness');
        const resolution = get('resolution');
        return {
          happiness: {
            ticks: happiness.scales.x!.ticks.map((t) => t.label),
            points: [0, 2].map((i) => happiness.getDatasetMeta(0).data[i]!.options.backgroundColor),
            january: hover(happiness, 0, 3),
            rows: rows('happiness'),
          },
          resolution: {
            ticks: resolution.scales.y!.ticks.map((t) => t.label),
            bars: resolution.getDatasetMeta(0).data.map((bar) => bar.options.backgroundColor),
            unassigned: hover(resolution, 2, 1),
            rows: rows('resolution'),
          },
          firstResponse: get('first-response').scales.y!.ticks.map((t) => t.label),
        };
      });
      // Shares of two ratings swing by 50 points: the count is under the month, in the tooltip and in the table,
      // and January's points are hollow (white), March's filled.
      expect(seen.happiness.ticks).toEqual([
        ['2026-01', '2 ratings (few)'],
        ['2026-02', '0 ratings'],
        ['2026-03', '5 ratings'],
      ]);
      expect(seen.happiness.points).toEqual(['#ffffff', '#16a34a']);
      expect(seen.happiness.january).toEqual({ body: ['GOOD: 50%', 'OK: 0%', 'BAD: 50%'], footer: ['2 ratings (few)'] });
      expect(seen.happiness.rows).toEqual([
        { kind: 'few', cells: ['2026-01', '2 (few)', '50', '0', '50'] },
        { kind: '', cells: ['2026-02', '0', '—', '—', '—'] },
        { kind: '', cells: ['2026-03', '5', '80', '20', '0'] },
      ]);
      expect(await page.locator('#happiness thead th').allTextContents()).toEqual(['Month', 'Ratings', 'GOOD (%)', 'OK (%)', 'BAD (%)']);
      // Resolution in days; the ticket with no assignee is its own grey bar, after the agents.
      expect(seen.resolution.ticks).toEqual([
        ['Ana', '1 closed ticket'],
        ['Zoe', '1 closed ticket'],
        ['Unassigned', '1 closed ticket'],
      ]);
      expect(seen.resolution.bars).toEqual(['#2563eb', '#2563eb', '#94a3b8']);
      expect(seen.resolution.unassigned).toEqual({ body: ['Resolution: 4 days'], footer: ['1 closed ticket'] });
      expect(seen.resolution.rows).toEqual([
        { kind: '', cells: ['Ana', '1', '2'] },
        { kind: '', cells: ['Zoe', '1', '1'] },
        { kind: 'apart', cells: ['Unassigned', '1', '4'] },
      ]);
      expect(await page.locator('#resolution thead th').allTextContents()).toEqual(['Agent', 'Closed tickets', 'Resolution (days)']);
      // Agents without a reply keep their row: nobody's figures are dropped or mixed into another's.
      expect(seen.firstResponse).toEqual([
        ['Ana', '0 replied tickets'],
        ['Zoe', '0 replied tickets'],
        ['Unassigned', '1 replied ticket'],
      ]);
      expect(problems).toEqual([]);
      await mkdir(ARTEFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTEFACTS, 'report-counts.png'), fullPage: true });
      await page.close();
    } finally {
      await dir.remove();
    }
  }, 60_000);
});
