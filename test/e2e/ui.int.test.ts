import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { createApi, UI_CSP, type Api } from '../../src/api/server.ts';
import { makeReportPdf, REPORT_TITLE } from '../fixtures/pdf.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';
import { launchChromium } from './browser.ts';

/**
 * The web UI, driven in headless Chromium against the real server (in-process, ephemeral loopback
 * port, API keys on) and the real database: key entry, PDF upload with live progress, a question
 * with citations, a citation opened, a node expanded and clicked on the canvas, a document deleted.
 * An injection fixture (a document and an entity whose text is markup) must show as plain text.
 * Screenshots go to test-results/ui/.
 */

const SHOTS = path.resolve(import.meta.dirname, '../../test-results/ui');
const INJECT_TEXT = '<img src=x onerror=window.__pwned=1> Zanzibar ledger note: <b>bold?</b>';
const INJECT_ENTITY = '<script>window.__pwned=2</script>Zanzibar';

/** What the page exposes for tests (ui/src/main.ts). */
interface View {
  nodeCount(): number;
  edgeCount(): number;
  hasNode(id: string): boolean;
  screenPosition(id: string): { x: number; y: number } | null;
  highlighted(): string[];
}
declare const kgragView: View;

describe('web UI', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  let browser: Browser;
  let page: Page;
  let key = '';
  const C = uniqueCollection('ui');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-ui-'));
  const errors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await openTestApp((c) => {
      c.api = { ...c.api, keysFile: path.join(home, 'keys.json') };
    });
    // A small graph of our own: a hub with people around it, one of them named with markup.
    await app.db.write(
      `CREATE (hub:KgragEntity:Kgrag_Project {id: $c + ':orion', collection: $c, type: 'Project', name: 'Project Orion', normalizedName: 'project orion', aliases: ['Orion'], budget: 1200000})
       WITH hub
       UNWIND range(1, 8) AS i
       CREATE (p:KgragEntity:Kgrag_Person {id: $c + ':p' + i, collection: $c, type: 'Person', name: 'Orion member ' + i, normalizedName: 'orion member ' + i})
       CREATE (p)-[:WORKS_ON {confidence: 1.0}]->(hub)
       WITH hub, collect(p) AS people
       CREATE (x:KgragEntity:Kgrag_Person {id: $c + ':x', collection: $c, type: 'Person', name: $evil, normalizedName: 'zanzibar', aliases: [$evil, '<b>alias</b>'], note: '<img src=x onerror=window.__pwned=3>'})
       CREATE (x)-[:LEADS]->(hub)
       WITH x, people[0] AS first
       CREATE (first)-[:REPORTS_TO]->(x)`,
      { c: C, evil: INJECT_ENTITY },
    );
    key = (await new KeyStore(app.db).create({ name: 'ui', role: 'editor', collections: [C] })).key;
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    if (app) {
      await dropCollections(app, [C]);
      await app.close();
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('serves the UI with a strict Content-Security-Policy', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(UI_CSP);
    expect(await res.text()).toContain('<script type="module" src="app.js">');
  });

  it('asks for an API key, then shows the graph', async () => {
    await page.goto(base);
    await page.getByTestId('key-dialog').waitFor({ state: 'visible' });
    await shot('01-key-dialog');
    await page.getByTestId('key-input').fill(key);
    await page.getByTestId('key-save').click();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction(() => kgragView.nodeCount() >= 10);
    await shot('02-graph');
  });

  it('uploads a PDF and follows its ingestion to the end', async () => {
    await page.getByTestId('tab-documents').click();
    await page.getByTestId('target-collection').selectOption(C);
    // An editor key is not offered creating or deleting collections (admin only; the admin's own test is in ui-shell).
    expect(await page.getByTestId('new-collection').count()).toBe(0);
    expect(await page.getByTestId('delete-collection').count()).toBe(0);
    await page.getByTestId('file-input').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: await makeReportPdf() });
    const job = page.getByTestId('job').first();
    await job.waitFor();
    await expect.poll(() => job.getAttribute('data-status'), { timeout: 120_000 }).toBe('succeeded');
    await page.getByTestId('document-title').filter({ hasText: REPORT_TITLE }).waitFor();
    await shot('03-uploaded');
  });

  it('takes a dropped file, and renders document text as text', async () => {
    // A real drop event with a File, as the browser makes it when a file is dragged in.
    await page.getByTestId('dropzone').evaluate((zone, text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'ledger.txt', { type: 'text/plain' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, INJECT_TEXT);
    await expect.poll(() => page.getByTestId('job').first().getAttribute('data-status'), { timeout: 120_000 }).toBe('succeeded');
    await page.getByTestId('document-title').filter({ hasText: 'ledger' }).click();
    const details = page.getByTestId('details');
    await details.getByText('Zanzibar ledger note', { exact: false }).waitFor();
    expect(await details.innerText()).toContain('<img src=x onerror=window.__pwned=1>');
    expect(await details.locator('img, b, script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await shot('04-injected-document');
  });

  it('answers a question with citations, and opens the cited passage', async () => {
    await page.getByTestId('collection').selectOption(C);
    await page.getByTestId('tab-ask').click();
    await page.getByTestId('question').fill('How much did revenue grow in the third quarter?');
    await page.getByTestId('ask').click();
    const turn = page.getByTestId('answer-turn').first();
    await turn.waitFor({ timeout: 60_000 });
    expect(await turn.getByTestId('answer').innerText()).toMatch(/twelve percent/i);
    const citations = turn.getByTestId('citation');
    expect(await citations.count()).toBeGreaterThan(0);
    expect(await citations.first().innerText()).toContain(REPORT_TITLE);
    expect(await turn.getByTestId('plan').innerText()).toMatch(/Plan: (semantic|hybrid)/);
    await citations.first().click();
    const passage = page.getByTestId('passage-text');
    await passage.waitFor();
    expect(await passage.innerText()).toMatch(/twelve percent/i);
    expect(await passage.getByTestId('quote-mark').count()).toBe(1);
    await shot('05-answer-citation');
  });

  it('expands a node found by search, and opens a node clicked on the canvas', async () => {
    await page.getByTestId('search').fill('Project Orion');
    const result = page.getByTestId('search-entity').filter({ hasText: 'Project Orion' });
    await result.waitFor();
    await shot('06-search');
    await result.click();
    await page.getByTestId('entity-name').filter({ hasText: 'Project Orion' }).waitFor();
    await page.waitForSelector('body[data-expanded="1"]');
    const evil = `${C}:x`;
    expect(await page.evaluate((id) => kgragView.hasNode(id), evil)).toBe(true);
    expect(await page.evaluate(() => kgragView.edgeCount())).toBeGreaterThanOrEqual(10);
    // Let the camera settle, then click where sigma drew the node.
    await page.waitForTimeout(600);
    const box = (await page.getByTestId('graph').boundingBox())!;
    const at = (await page.evaluate((id) => kgragView.screenPosition(id), evil))!;
    await page.mouse.click(box.x + at.x, box.y + at.y);
    const name = page.getByTestId('entity-name');
    await expect.poll(() => name.innerText()).toBe(INJECT_ENTITY);
    const details = page.getByTestId('details');
    expect(await details.innerText()).toContain('<img src=x onerror=window.__pwned=3>');
    expect(await details.innerText()).toContain('<b>alias</b>');
    expect(await details.locator('img, b, script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    await shot('07-expanded-clicked');
  });

  it('deletes a document', async () => {
    await page.getByTestId('tab-documents').click();
    const doc = page.getByTestId('document').filter({ hasText: REPORT_TITLE });
    await doc.waitFor();
    await doc.getByTestId('select-document').check();
    const button = page.getByTestId('bulk-delete');
    await button.click();
    expect(await button.innerText()).toBe('Really delete 1?');
    await button.click();
    await page.getByTestId('toast-info').filter({ hasText: 'Deleted' }).waitFor();
    await expect.poll(() => page.getByTestId('document').filter({ hasText: REPORT_TITLE }).count()).toBe(0);
    const res = await fetch(`${base}/v1/documents?collection=${C}`, { headers: { authorization: `Bearer ${key}` } });
    const titles = ((await res.json()) as { items: Array<{ title: string }> }).items.map((d) => d.title);
    expect(titles).not.toContain(REPORT_TITLE);
    await shot('08-deleted');
  });

  it('logged no script errors and ran nothing injected', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // 401s before the key was given are expected; anything else is not.
    expect(errors.filter((e) => !/401|Unauthorized/.test(e))).toEqual([]);
  });
});
