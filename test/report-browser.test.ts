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
const CHARTS = ['volume-by-status', 'volume-by-channel', 'backlog-by-department', 'first-response', 'resolution', 'agent-time', 'happiness', 'email-failures'];

interface Drawn { id: string; rendered: boolean; points: number; datasets: number; labels: number }

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
    type Drawing = { chartArea: { left: number; top: number; right: number; bottom: number }; data: { datasets: Array<{ backgroundColor: string }> } };
    const painted = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((canvas) => {
        const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): Drawing } }).Chart.getChart(canvas);
        const colour = chart.data.datasets[0]?.backgroundColor ?? '';
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
        { id: '6483605000100000001', status: 'Open', statusType: 'Open', channel: evil, departmentId: '6483605000001000001', createdTime: '2026-11-19T10:00:00.000Z' },
      ]);
      const target = join(dir.path, 'report.html');
      expect((await cli(['report', '--from', dir.path, '--out', target])).code).toBe(0);
      const { page, requests, problems } = await open(target);
      const drawn = (await page.evaluate(() => (window as unknown as { __report: { charts: Drawn[] } }).__report.charts)) as Drawn[];
      expect(drawn.find((c) => c.id === 'backlog-by-department')).toMatchObject({ rendered: true, points: 1 });
      // Charts with nothing to show say so instead of drawing empty axes.
      expect(drawn.find((c) => c.id === 'happiness')?.rendered).toBe(false);
      expect(await page.locator('#happiness .empty').textContent()).toContain('No data');
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(target).href]);
      await page.close();
    } finally {
      await dir.remove();
    }
  }, 60_000);
});
