import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import type { AskResult } from '../../src/planner/types.ts';
import { createApi, type Api } from '../../src/api/server.ts';
import { dropCollections, loadExampleGraph, openTestApp, uniqueCollection } from '../helpers.ts';
import { launchChromium } from './browser.ts';

/**
 * The graph canvas in headless Chromium against the real server and database: the demo knowledge
 * base's start view (labels, colours, legend), selection, expand / hide / prune / undo, drag, the
 * keyboard route into the graph, an answer's highlight, and a 5,000-node neighbourhood laid out in
 * the web worker while the page keeps answering input. Screenshots at 1440×900, 1024×700 and
 * 390×844 go to test-results/ui/ (graph-*.png); the 5,000-node run's long tasks go to
 * test-results/ui/graph-5000.json (figures, not assertions).
 */

const SHOTS = path.resolve(import.meta.dirname, '../../test-results/ui');
const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const BIG = 5000;

interface Box { key: string; kind: 'node' | 'edge'; x: number; y: number; w: number; h: number; fontSize: number }
/** What the graph module exposes for tests (ui/src/graph.ts). */
interface GraphHooks {
  nodeCount(): number;
  labelBoxes(): Box[];
  visibleNodes(): string[];
  nodes(): string[];
  layoutRunning(): boolean;
  layoutRuns(): number;
  selection(): string | null;
  highlighted(): string[];
  screenPosition(id: string): { x: number; y: number } | null;
  hasNode(id: string): boolean;
  nodeLabel(id: string): string;
  nodeColour(id: string): string;
  neighbours(id: string): string[];
  highlightAnswer(r: AskResult): { nodes: string[]; edges: string[] };
}
declare const kgragGraph: GraphHooks;

/** Label statistics of the current frame, from the renderer's own label boxes. */
function labelStats(page: Page) {
  return page.evaluate(() => {
    const boxes = kgragGraph.labelBoxes();
    const visible = kgragGraph.visibleNodes();
    const named = new Set(boxes.filter((b) => b.kind === 'node').map((b) => b.key));
    let overlaps = 0;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) overlaps++;
    }
    return {
      visible: visible.length,
      labelled: visible.filter((id) => named.has(id)).length,
      overlaps,
      smallest: Math.min(...boxes.map((b) => b.fontSize)),
      edgeLabels: boxes.filter((b) => b.kind === 'edge').length,
      boxes,
    };
  });
}

describe('graph canvas', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  let browser: Browser;
  let page: Page;
  const DEMO = uniqueCollection('uidemo');
  const SYN = uniqueCollection('uibig');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-graph-'));
  const errors: string[] = [];
  const workers: string[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const runs = () => page.evaluate(() => kgragGraph.layoutRuns());
  /** Waits for a layout that started after `before` runs to finish. */
  const laidOut = (before: number) =>
    page.waitForFunction((r) => kgragGraph.layoutRuns() > r && !kgragGraph.layoutRunning(), before, { timeout: 120_000 });
  const openCollection = async (c: string) => {
    const before = await runs();
    await page.getByTestId('collection').selectOption(c);
    await laidOut(before);
  };
  const clickNode = async (id: string, opts: { dbl?: boolean } = {}) => {
    const box = (await page.getByTestId('graph').boundingBox())!;
    const at = (await page.evaluate((n) => kgragGraph.screenPosition(n), id))!;
    if (opts.dbl) await page.mouse.dblclick(box.x + at.x, box.y + at.y);
    else await page.mouse.click(box.x + at.x, box.y + at.y);
  };
  /** A node drawn clear of the toolbar and the legend, with at least `degree` neighbours. */
  const clickable = (degree = 0) =>
    page.evaluate((d) => {
      const h = document.querySelector('[data-testid=graph]')!.getBoundingClientRect().height;
      const ok = kgragGraph.visibleNodes().filter((id) => {
        const p = kgragGraph.screenPosition(id)!;
        return p.y > 110 && p.y < h - 80 && kgragGraph.neighbours(id).length >= d;
      });
      ok.sort((a, b) => kgragGraph.neighbours(b).length - kgragGraph.neighbours(a).length);
      return ok[0]!;
    }, degree);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await openTestApp();
    // The demo knowledge base (examples/): every record file and every document.
    await loadExampleGraph(app, DEMO, EXAMPLES, ['companies.csv', 'offices.json', 'employees.csv', 'projects.csv', 'tasks.csv'], [
      'acme-partnership.html', 'blue-harbor-contract.html', 'board-update-2025-q2.pdf', 'data-science-review-2025.docx', 'globex-account-plan.docx',
      'initech-acquisition.html', 'onboarding-guide.txt', 'q3-engineering-memo.md', 'team-directory.md', 'umbrella-escalation-notes.txt',
    ]);
    // A synthetic hub with 4,999 neighbours in eight labels, and a chain among a thousand of them.
    await app.db.write(
      `CREATE (hub:KgragEntity:Kgrag_Hub {id: $c + ':hub', collection: $c, type: 'Hub', name: 'The hub', normalizedName: 'the hub'})
       WITH hub
       UNWIND range(1, $n - 1) AS i
       CREATE (x:KgragEntity {id: $c + ':n' + i, collection: $c, type: ['Person', 'Organization', 'Place', 'Project', 'Task', 'Product', 'Event', 'Topic'][i % 8], name: 'Node ' + i, normalizedName: 'node ' + i})
       CREATE (x)-[:LINKED_TO]->(hub)`,
      { c: SYN, n: BIG },
    );
    await app.db.write(
      `UNWIND range(1, 999) AS i
       MATCH (a:KgragEntity {id: $c + ':n' + i}), (b:KgragEntity {id: $c + ':n' + (i + 1)})
       CREATE (a)-[:NEXT_TO]->(b)`,
      { c: SYN },
    );
    api = await createApi(app, { config: { ...app.config.api, auth: 'disabled' }, jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('worker', (w) => workers.push(w.url()));
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]');
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    if (app) {
      await dropCollections(app, [DEMO, SYN]);
      await app.close();
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('names at least 90% of the demo start view with no two labels overlapping, at every screen size', async () => {
    await openCollection(DEMO);
    await page.waitForTimeout(300); // the frame after the last layout step
    const wide = await labelStats(page);
    expect(wide.visible).toBeGreaterThan(40);
    expect(wide.labelled / wide.visible).toBeGreaterThanOrEqual(0.9);
    expect(wide.overlaps).toBe(0);
    expect(wide.smallest).toBeGreaterThanOrEqual(11);
    const graph = (await page.getByTestId('graph').boundingBox())!;
    for (const b of wide.boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(graph.width);
      expect(b.y + b.h).toBeLessThanOrEqual(graph.height);
    }
    await shot('graph-1440x900');
    for (const [width, height] of [[1024, 700], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(400);
      expect((await labelStats(page)).overlaps).toBe(0);
      await shot(`graph-${width}x${height}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.waitForTimeout(300);
  });

  it('gives each label its own colour, shown in a legend that hides and shows a label', async () => {
    const legend = page.getByTestId('legend-item');
    const labels = await legend.evaluateAll((items) => items.map((i) => ({ label: (i as HTMLElement).dataset.label!, colour: (i.querySelector('.dot') as HTMLElement).style.backgroundColor })));
    expect(labels.length).toBeGreaterThanOrEqual(4);
    expect(new Set(labels.map((l) => l.colour)).size).toBe(labels.length);
    const person = legend.filter({ hasText: 'Person' });
    const people = () => page.evaluate(() => kgragGraph.visibleNodes().length);
    // Counted once the view stands still: the previous test's resize may still be re-framing it,
    // which moves nodes across the screen's edge (68 on screen, then 70, in one CI run).
    await page.waitForFunction(() => !kgragGraph.layoutRunning());
    let before = await people();
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(250);
      const now = await people();
      if (now === before) break;
      before = now;
    }
    await person.click();
    expect(await person.getAttribute('aria-pressed')).toBe('false');
    expect(await people()).toBeLessThan(before);
    await person.click();
    await expect.poll(people).toBe(before);
    // Hidden from the Filters panel instead, the label shows as hidden in the legend at once.
    await page.getByTestId('tab-filters').click();
    const box = page.locator('label.check', { hasText: 'Person' }).getByTestId('filter');
    await box.uncheck();
    expect(await person.getAttribute('aria-pressed')).toBe('false');
    expect(await people()).toBeLessThan(before);
    await box.check();
    expect(await person.getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId('tab-ask').click();
  });

  it('selects a node on click without expanding it, names its neighbours and its relationship types', async () => {
    const id = await clickable(3);
    const count = await page.evaluate(() => kgragGraph.nodeCount());
    await clickNode(id);
    await expect.poll(() => page.evaluate(() => kgragGraph.selection())).toBe(id);
    const name = await page.evaluate((n) => kgragGraph.nodeLabel(n), id);
    await expect.poll(() => page.getByTestId('entity-name').innerText()).toBe(name);
    expect(await page.evaluate(() => kgragGraph.nodeCount())).toBe(count);
    const stats = await labelStats(page);
    const named = new Set(stats.boxes.filter((b) => b.kind === 'node').map((b) => b.key));
    const neighbours = await page.evaluate((n) => kgragGraph.neighbours(n).filter((m) => kgragGraph.visibleNodes().includes(m)), id);
    for (const n of neighbours) expect(named.has(n), n).toBe(true);
    expect(named.has(id)).toBe(true);
    expect(stats.edgeLabels).toBeGreaterThan(0);
    await shot('graph-selected');
  });

  it('expands, hides and prunes by explicit actions, and undoes each', async () => {
    const id = (await page.evaluate(() => kgragGraph.selection()))!;
    const count = () => page.evaluate(() => kgragGraph.nodeCount());
    const start = await count();
    // Expand: a neighbourhood fetched and added (or a note that it is all shown already).
    await page.getByTestId('tab-filters').click();
    await page.getByTestId('hops').selectOption('2');
    const before = await runs();
    await page.getByTestId('graph-expand').click();
    await laidOut(before);
    const expanded = await count();
    expect(expanded).toBeGreaterThan(start);
    await page.getByTestId('graph-undo').click();
    expect(await count()).toBe(start);
    // Hide the selection, then undo.
    await clickNode(id);
    await expect.poll(() => page.evaluate(() => kgragGraph.selection())).toBe(id);
    await page.getByTestId('graph-hide').click();
    expect(await page.evaluate((n) => kgragGraph.hasNode(n), id)).toBe(false);
    expect(await count()).toBe(start - 1);
    await page.getByTestId('graph-undo').click();
    expect(await page.evaluate((n) => kgragGraph.hasNode(n), id)).toBe(true);
    // Prune: nodes with one relationship in view go, the rest stay.
    await page.getByTestId('graph-prune').click();
    const pruned = await count();
    expect(pruned).toBeLessThan(start);
    expect(pruned).toBeGreaterThan(0);
    await page.getByTestId('graph-undo').click();
    expect(await count()).toBe(start);
    expect(await page.getByTestId('graph-undo').isDisabled()).toBe(true);
  });

  it('drags a node to where the mouse lets go of it, without selecting anything else', async () => {
    const id = await clickable(1);
    const selected = await page.evaluate(() => kgragGraph.selection());
    const box = (await page.getByTestId('graph').boundingBox())!;
    const from = (await page.evaluate((n) => kgragGraph.screenPosition(n), id))!;
    const to = { x: box.width / 2 + 37, y: box.height / 2 - 23 };
    await page.mouse.move(box.x + from.x, box.y + from.y);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + from.x + ((to.x - from.x) * i) / 8, box.y + from.y + ((to.y - from.y) * i) / 8);
    await page.mouse.up();
    const now = (await page.evaluate((n) => kgragGraph.screenPosition(n), id))!;
    expect(Math.abs(now.x - to.x)).toBeLessThan(4);
    expect(Math.abs(now.y - to.y)).toBeLessThan(4);
    await page.waitForTimeout(400); // past sigma's double-click window
    expect(await page.evaluate(() => kgragGraph.selection())).toBe(selected);
  });

  it('reaches the graph by keyboard: a filterable list of the nodes in view, arrow keys and Enter', async () => {
    await page.getByTestId('graph').focus();
    expect(await page.getByTestId('graph').getAttribute('aria-label')).toMatch(/nodes/);
    await page.keyboard.press('l');
    const filter = page.getByTestId('node-filter');
    await expect.poll(() => filter.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('Jane');
    const options = page.getByTestId('node-option');
    expect(await options.count()).toBeGreaterThanOrEqual(1);
    for (const text of await options.allInnerTexts()) expect(text).toMatch(/jane/i);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await options.first().getAttribute('aria-selected')).toBe('true');
    const chosen = (await options.first().getAttribute('data-node'))!;
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => kgragGraph.selection())).toBe(chosen);
    await expect.poll(() => page.getByTestId('entity-name').innerText()).toMatch(/Jane/);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('node-list').isHidden()).toBe(true);
    expect(await page.getByTestId('graph').evaluate((el) => el === document.activeElement)).toBe(true);
    await shot('graph-keyboard');
  });

  it("highlights exactly an answer's nodes, and nothing for an answer that was not found", async () => {
    const ask = async (question: string) => {
      const res = await fetch(`${base}/v1/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question, collections: [DEMO] }) });
      expect(res.status).toBe(200);
      return (await res.json()) as AskResult;
    };
    const reports = await ask('Which employees report to Jane Smith?');
    expect(reports.found).toBe(true);
    const names = reports.rows.map((r) => String(r.name)).sort();
    const lit = await page.evaluate((r) => kgragGraph.highlightAnswer(r).nodes.map((id) => kgragGraph.nodeLabel(id)), reports);
    const inView = await page.evaluate((n) => kgragGraph.nodes().map((id) => kgragGraph.nodeLabel(id)).filter((l) => n.includes(l)), names);
    expect(lit.length).toBeGreaterThan(0);
    expect([...new Set(lit)].sort()).toEqual([...new Set(inView)].sort());
    await shot('graph-answer');
    const missing = await ask('Which employees report to Zanzibar Quux?');
    expect(missing.found).toBe(false);
    expect(await page.evaluate((r) => kgragGraph.highlightAnswer(r).nodes.length, missing)).toBe(0);
    expect(await page.evaluate(() => kgragGraph.highlighted())).toEqual([]);
  }, 240_000);

  it('lays out a 5,000-node neighbourhood in a web worker while the page keeps answering input', async () => {
    await openCollection(SYN);
    await page.getByTestId('tab-filters').click();
    await page.getByTestId('hops').selectOption('1');
    await page.locator('select:has(option[value="5000"])').selectOption('5000');
    // Long tasks on the main thread during the expansion, for the report.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
    });
    await page.getByTestId('graph').focus();
    await page.keyboard.press('l');
    await page.keyboard.type('The hub');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => kgragGraph.selection())).toBe(`${SYN}:hub`);
    await page.keyboard.press('Escape');
    const before = await runs();
    const t0 = Date.now();
    await page.getByTestId('graph-expand').click();
    await page.waitForFunction((r) => kgragGraph.layoutRuns() > r && kgragGraph.nodeCount() >= 5000, before, { timeout: 60_000 });
    const firstFrameMs = Date.now() - t0;
    expect(await page.getByTestId('layout-progress').isVisible()).toBe(true);
    // Input while the layout runs: typed text lands, and the layout is still running afterwards.
    const search = page.getByTestId('search');
    await search.focus();
    await page.keyboard.type('abc');
    const during = await page.evaluate(() => ({ value: (document.querySelector('[data-testid=search]') as HTMLInputElement).value, running: kgragGraph.layoutRunning() }));
    expect(during).toEqual({ value: 'abc', running: true });
    await laidOut(before);
    expect(workers.some((u) => u.endsWith('/layout-worker.js'))).toBe(true);
    expect(await page.evaluate(() => kgragGraph.nodeCount())).toBe(BIG);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    writeFileSync(path.join(SHOTS, 'graph-5000.json'), JSON.stringify({ nodes: BIG, firstFrameMs, longTasks, longestTaskMs: Math.max(0, ...longTasks) }, null, 2));
    await search.fill('');
    await page.keyboard.press('Escape');
    await shot('graph-5000');
  }, 240_000);

  it('speaks Chinese on the canvas when the language is Chinese', async () => {
    await page.evaluate(() => localStorage.setItem('kgrag.locale', 'zh'));
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.getByTestId('graph-prune').innerText()).toBe('修剪');
    expect(await page.getByTestId('node-list-button').innerText()).toBe('节点');
    expect(await page.getByTestId('layout-choice').locator('option').first().innerText()).toBe('力导向（ForceAtlas2）');
    await page.evaluate(() => localStorage.removeItem('kgrag.locale'));
  });

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
  });
});
