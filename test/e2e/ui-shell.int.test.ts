import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { createApi, type Api } from '../../src/api/server.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';
import { launchChromium } from './browser.ts';

/**
 * The page shell, the documents table, states, keyboard, details, the URL and the two languages,
 * in headless Chromium against the real server (authentication disabled, as for local use) and the
 * real database. Screenshots at three sizes go to test-results/ui/ (looked at by the author).
 */

const SHOTS = path.resolve(import.meta.dirname, '../../test-results/ui');
const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'laptop', width: 1024, height: 700 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const DOCS = 30;
/** The machine is shared and loaded: the page may take seconds to answer. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 30_000 });

describe('web UI: shell, documents, states, keyboard, languages', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  let browser: Browser;
  let page: Page;
  let closed = false;
  const C = uniqueCollection('uishell');
  const made = `${C}-made`;
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-uishell-'));
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const ready = async (url: string) => {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await openTestApp((c) => {
      c.api = { ...c.api, auth: 'disabled', keysFile: path.join(home, 'keys.json') };
    });
    await app.db.write(
      `CREATE (hub:KgragEntity:Kgrag_Project {id: $c + ':orion', collection: $c, type: 'Project', name: 'Project Orion', normalizedName: 'project orion',
                budget: 1200000, mergerCodename: 'Bluebird', importKey: 'projects.csv#1', createdAt: datetime('2024-01-02T03:04:05Z')})
       WITH hub
       UNWIND range(1, 6) AS i
       CREATE (p:KgragEntity:Kgrag_Person {id: $c + ':p' + i, collection: $c, type: 'Person', name: 'Orion member ' + i, normalizedName: 'orion member ' + i})
       CREATE (p)-[:WORKS_ON]->(hub)
       WITH DISTINCT hub
       UNWIND range(1, $docs) AS i
       CREATE (d:Document {id: $c + ':doc' + i, collection: $c, key: 'k' + i, title: 'Field note ' + right('0' + toString(i), 2), source: 'upload:note' + i + '.md',
                mimeType: 'text/markdown', chunkCount: 1, charCount: 100 * i, metadata: '{}', embeddingModel: $model, createdAt: datetime() - duration({minutes: i}), updatedAt: datetime() - duration({minutes: i})})
       CREATE (ch:Chunk {id: d.id + ':0', documentId: d.id, collection: $c, index: 0, text: 'Orion note ' + i, start: 0, end: 10})-[:PART_OF]->(d)
       WITH hub, ch, i WHERE i <= 3
       CREATE (ch)-[:MENTIONS {surfaces: ['Orion']}]->(hub)`,
      { c: C, docs: DOCS, model: app.embedder!.modelId },
    );
    // A PDF whose metadata title is a browser placeholder, stored under a server temp path.
    await app.db.write(
      `CREATE (:Document {id: $c + ':blank', collection: $c, key: 'kb', title: 'about:blank', source: '/tmp/tmpa1b2c3/quarterly-report.pdf',
               mimeType: 'application/pdf', chunkCount: 0, charCount: 0, metadata: '{"pageCount":4}', embeddingModel: $model, createdAt: datetime(), updatedAt: datetime()})`,
      { c: C, model: app.embedder!.modelId },
    );
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message} ${e.stack ?? ''}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (!closed) await api?.close();
    if (app) {
      await dropCollections(app, [C, made]);
      await app.db.write('MATCH (c:_KgragCollection) WHERE c.name IN $n DELETE c', { n: [C, made] });
      await app.close();
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('offers no API key on a server without authentication, and shows the chosen collection from the URL', async () => {
    await ready(`${base}/?collection=${C}`);
    expect(await page.getByTestId('key-button').isVisible()).toBe(false);
    expect(await page.getByTestId('collection').inputValue()).toBe(C);
    await page.waitForFunction(() => document.body.dataset.graphState === 'shown');
    expect(await page.getByTestId('status').innerText()).toMatch(/^\d+ nodes · \d+ relationships$/);
  });

  it('lists the collection\'s documents as a table: names, counts, status, pages, sort, search and pages', async () => {
    await page.getByTestId('tab-documents').click();
    const rows = page.getByTestId('document');
    await poll(() => rows.count()).toBe(25);
    expect(await page.getByTestId('page-range').innerText()).toBe(`1–25 of ${DOCS + 1}`);
    const table = page.getByTestId('documents');
    expect(await table.innerText()).not.toMatch(/\/tmp|about:blank|upload:/);
    // Sorted by name, then the other way.
    await page.getByTestId('sort-name').click();
    await poll(() => page.locator('th[aria-sort="ascending"]').innerText()).toContain('Name');
    await poll(() => rows.first().getByTestId('document-title').innerText()).toBe('Field note 01');
    await page.getByTestId('sort-name').click();
    await poll(() => rows.first().getByTestId('document-title').innerText()).toBe('quarterly-report.pdf');
    // The most entities first: the three notes that mention the project.
    await page.getByTestId('sort-entities').click();
    await poll(() => rows.first().locator('td').nth(6).innerText()).toBe('1');
    expect(await rows.first().getByTestId('document-status').innerText()).toBe('entities extracted');
    await page.getByTestId('page-next').click();
    await poll(() => page.getByTestId('page-range').innerText()).toBe(`26–${DOCS + 1} of ${DOCS + 1}`);
    expect(await rows.count()).toBe(DOCS + 1 - 25);
    // Server-side search finds the PDF by its file name, with its pages and status.
    await page.getByTestId('document-search').fill('QUARTERLY');
    await poll(() => rows.count()).toBe(1);
    const pdf = rows.first();
    expect(await pdf.innerText()).toMatch(/quarterly-report\.pdf\s+PDF\s+—\s+4\s+0\s+0\s+no text/);
    await page.getByTestId('document-search').fill('no such document');
    await page.getByTestId('documents-empty').filter({ hasText: 'No document name contains' }).waitFor();
    await page.getByTestId('document-search').fill('');
    await poll(() => rows.count()).toBe(25);
    await shot('10-documents-table');
  });

  it('deletes the selected documents in bulk, after a confirmation, keeping the focus in the table', async () => {
    await page.getByTestId('sort-name').click();
    await poll(() => page.getByTestId('document').first().getByTestId('document-title').innerText()).toBe('Field note 01');
    const rows = page.getByTestId('document');
    await rows.nth(0).getByTestId('select-document').check();
    await rows.nth(1).getByTestId('select-document').check();
    const bulk = page.getByTestId('bulk-delete');
    expect(await bulk.innerText()).toBe('Delete 2 selected');
    await bulk.click();
    expect(await bulk.innerText()).toBe('Really delete 2?');
    await bulk.click();
    await page.getByTestId('toast-info').filter({ hasText: 'Deleted 2 documents.' }).waitFor();
    await poll(() => page.getByTestId('page-range').innerText()).toBe(`1–25 of ${DOCS - 1}`);
    expect(await rows.first().getByTestId('document-title').innerText()).toBe('Field note 03');
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
  });

  it('uploads only into a collection chosen explicitly, and reports each file with extraction counts', async () => {
    await page.getByTestId('collection').selectOption('');
    await page.getByTestId('tab-documents').click();
    expect(await page.getByTestId('target-collection').inputValue()).toBe('');
    // Without a target: one message, however often it is tried.
    for (let i = 0; i < 3; i++) await page.getByTestId('dropzone').click();
    await poll(() => page.getByTestId('toast-error').count()).toBe(1);
    expect(await page.getByTestId('toast-error').innerText()).toContain('Choose the collection to upload into first.');
    expect(await page.getByTestId('toast-error').getByTestId('toast-count').innerText()).toBe('×3');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('target-collection');
    await page.getByTestId('target-collection').selectOption(C);
    await page.getByTestId('file-input').setInputFiles({ name: 'orion-brief.md', mimeType: 'text/markdown', buffer: Buffer.from('# Orion brief\n\nProject Orion ships in May.\n') });
    const job = page.getByTestId('job').first();
    await expect.poll(() => job.getAttribute('data-status'), { timeout: 120_000 }).toBe('succeeded');
    expect(await job.getByTestId('job-outcome').innerText()).toMatch(/^orion-brief\.md: ingested, 1 passage$/);
    expect(await job.getByTestId('job-detail').innerText()).toMatch(/^Extraction: \d+ new entities, \d+ linked to existing ones, \d+ relationships\.$/);
    await shot('11-upload-result');
  });

  it('lets an admin create a collection, upload into it and delete it', async () => {
    await page.getByTestId('new-collection').click();
    await page.getByTestId('new-collection-name').fill(made);
    await page.getByTestId('create-collection').click();
    await page.getByTestId('toast-info').filter({ hasText: `Collection "${made}" created.` }).waitFor();
    await poll(() => page.getByTestId('target-collection').inputValue()).toBe(made);
    expect(await page.getByTestId('collection').locator('option').allInnerTexts()).toContain(made);
    const remove = page.getByTestId('delete-collection');
    await remove.click();
    expect(await remove.innerText()).toBe(`Delete "${made}" and everything in it?`);
    await remove.click();
    await page.getByTestId('toast-info').filter({ hasText: `Collection "${made}" deleted` }).waitFor();
    await poll(() => page.getByTestId('collection').locator('option').allInnerTexts()).not.toContain(made);
  });

  it('reaches search results and tabs with the arrow keys, and keeps the focus after a choice', async () => {
    await ready(`${base}/?collection=${C}&panel=ask`);
    const search = page.getByTestId('search');
    await search.fill('Project Orion');
    await page.getByTestId('search-entity').first().waitFor();
    await search.press('ArrowDown');
    const active = await search.getAttribute('aria-activedescendant');
    expect(active).toBeTruthy();
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator(`#${active}`).innerText()).toContain('Project Orion');
    await search.press('Enter');
    await page.getByTestId('entity-name').filter({ hasText: 'Project Orion' }).waitFor();
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('entity-name');
    // Tabs: one tab stop, arrows move and activate, each names its panel.
    const ask = page.getByTestId('tab-ask');
    expect(await ask.getAttribute('aria-controls')).toBe('panel');
    expect(await page.locator('#panel').getAttribute('role')).toBe('tabpanel');
    await ask.focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('tab-documents').getAttribute('aria-selected')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tab-documents');
    expect(await page.locator('#panel').getAttribute('aria-labelledby')).toBe(await page.getByTestId('tab-documents').getAttribute('id'));
    await page.keyboard.press('End');
    expect(await page.getByTestId('tab-filters').getAttribute('aria-selected')).toBe('true');
  });

  it('shows the user\'s fields first, record keeping folded, keys in words and numbers as numbers', async () => {
    const props = page.getByTestId('properties');
    const keys = await props.locator('th').allInnerTexts();
    expect(keys).toEqual(['Budget', 'Merger codename']);
    expect(await props.locator('td').first().innerText()).toBe('1,200,000');
    const kept = page.getByTestId('bookkeeping');
    expect(await kept.getAttribute('open')).toBeNull();
    expect(await kept.locator('th').allTextContents()).toEqual(['Id', 'Created', 'Import key']);
    await shot('12-details');
  });

  it('keeps the collection, the selected node and the open panel in the URL, and restores them on reload', async () => {
    const url = new URL(page.url());
    expect(url.searchParams.get('collection')).toBe(C);
    expect(url.searchParams.get('node')).toBe(`${C}:orion`);
    expect(url.searchParams.get('panel')).toBe('filters');
    await ready(page.url());
    await page.getByTestId('entity-name').filter({ hasText: 'Project Orion' }).waitFor();
    expect(await page.getByTestId('tab-filters').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('collection').inputValue()).toBe(C);
  });

  it('says the graph is empty after "Clear graph", not that it is loading', async () => {
    await page.getByTestId('clear-graph').click();
    await poll(() => page.evaluate(() => document.body.dataset.graphState)).toBe('cleared');
    expect(await page.getByTestId('graph-empty').innerText()).toMatch(/The graph is empty/);
    expect(await page.getByTestId('status').innerText()).toBe('');
    // The focus stays on the button that was pressed (the panel was drawn again).
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('clear-graph');
  });

  it('switches to Chinese without a reload, translating every text of the shell, documents and details', async () => {
    await ready(`${base}/?collection=${C}&panel=documents&node=${encodeURIComponent(`${C}:orion`)}`);
    await page.getByTestId('entity-name').waitFor();
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));
    await page.getByTestId('locale').selectOption('zh');
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await poll(() => page.getByTestId('tab-documents').innerText()).toBe('文档');
    // Every Latin word left in the shell, the documents panel and the details is data (names,
    // formats) or a key name as printed on keyboards (Ctrl, Delete), which Chinese UIs keep too.
    const data = new Set(['Ctrl', 'Delete', 'kgrag', 'PDF', 'Markdown', 'Project', 'Orion', 'Person', 'Bluebird', 'Field', 'note', 'quarterly', 'report', 'pdf', 'orion', 'brief', 'md', 'JSON', 'Lines', 'DOCX', 'HTML', 'CSV', 'XLSX', 'API', 'member', 'WORKS_ON', 'csv', 'projects', 'schemas', 'mapping', 'schema', 'json', 'label', 'key', 'properties', 'id', 'Budget', 'Merger', 'codename', 'English']);
    const latin = await page.evaluate(() => {
      const parts = ['header', '#views', '#tabs', '#panel', '#details', '#banner'].map((s) => (document.querySelector(s) as HTMLElement | null)?.innerText ?? '');
      const labels = [...document.querySelectorAll('[aria-label], [placeholder], [title]')].flatMap((el) => [el.getAttribute('aria-label'), el.getAttribute('placeholder'), el.getAttribute('title')]);
      // Collection names are data, listed in the collection choice.
      const collections = [...document.querySelectorAll<HTMLOptionElement>('#collection option')].map((o) => o.value).filter(Boolean);
      return { text: [...parts, ...labels].join(' '), collections };
    });
    // Longest names first: cutting out `kb` first would leave the `-zh` of a collection `kb-zh`.
    const names = [...latin.collections].sort((a, b) => b.length - a.length);
    const words = [...new Set(names.reduce((text, c) => text.split(c).join(' '), latin.text).match(/[A-Za-z][A-Za-z_]{1,}/g) ?? [])].filter((w) => !data.has(w));
    expect(words).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem('kgrag.locale'))).toBe('zh');
    await shot('13-chinese');
    await page.getByTestId('locale').selectOption('en');
    await poll(() => page.getByTestId('tab-documents').innerText()).toBe('Documents');
  });

  for (const size of SIZES) {
    it(`fits ${size.width}×${size.height} without scrolling sideways, in every view`, async () => {
      await page.setViewportSize({ width: size.width, height: size.height });
      await ready(`${base}/?collection=${C}`);
      await page.waitForFunction(() => document.body.dataset.graphState === 'shown');
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      const graphWidth = () => page.getByTestId('graph').evaluate((el) => el.getBoundingClientRect().width);
      if (size.width <= 768) {
        // One column: the views are tabs, and the graph has the whole width.
        expect(await page.getByTestId('views').isVisible()).toBe(true);
        expect(await graphWidth()).toBe(size.width);
        await shot(`20-${size.name}-graph`);
        for (const panel of ['ask', 'documents', 'filters'] as const) {
          await page.getByTestId('view-panel').click();
          await page.getByTestId(`tab-${panel}`).click();
          expect(await page.getByTestId(`tab-${panel}`).isVisible()).toBe(true);
          expect(await overflow()).toBe(0);
          await shot(`20-${size.name}-${panel}`);
        }
        await page.getByTestId('search').fill('Project Orion');
        await page.getByTestId('search-entity').first().click();
        expect(await page.getByTestId('view-details').getAttribute('aria-selected')).toBe('true');
        await page.getByTestId('entity-name').waitFor();
        expect(await overflow()).toBe(0);
        await shot(`20-${size.name}-details`);
      } else {
        expect(await page.getByTestId('views').isVisible()).toBe(false);
        expect(await graphWidth()).toBeGreaterThan(size.width * 0.4);
        await page.getByTestId('tab-documents').click();
        await page.getByTestId('document').first().waitFor();
        expect(await overflow()).toBe(0);
        await shot(`20-${size.name}`);
        // Both side panels fold away and give the graph the whole width.
        await page.getByTestId('toggle-left').click();
        await page.getByTestId('toggle-right').click();
        expect(await page.getByTestId('toggle-left').getAttribute('aria-expanded')).toBe('false');
        await poll(graphWidth).toBe(size.width);
        await page.getByTestId('toggle-left').click();
        await page.getByTestId('toggle-right').click();
      }
      expect(await overflow()).toBe(0);
    });
  }

  it('shows a banner, not "No entity by that name", when the server cannot be reached', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await ready(`${base}/?collection=${C}`);
    await api.close();
    closed = true;
    await page.getByTestId('search').fill('Orion');
    await page.getByTestId('search-error').waitFor();
    expect(await page.getByTestId('search-results').innerText()).not.toContain('No entity by that name');
    await page.getByTestId('banner').waitFor({ state: 'visible' });
    expect(await page.getByTestId('banner').innerText()).toContain('cannot be reached');
    expect(await page.getByTestId('toast-error').count()).toBe(0);
    await shot('14-offline');
  });

  it('logged no script errors', () => {
    // Failed fetches after the server was closed are the point of the last test.
    expect(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|404/.test(e))).toEqual([]);
  });
});
