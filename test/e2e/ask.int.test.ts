import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { createApi, type Api } from '../../src/api/server.ts';
import { loadConfig, type LlmConfig } from '../../src/config/index.ts';
import { createChatModel } from '../../src/llm/chat.ts';
import { silentLogger } from '../../src/logging.ts';
import { dropCollections, loadExampleGraph, openTestApp, uniqueCollection } from '../helpers.ts';
import { messageText, useFakeLlmServer, type FakeChatRequest } from '../support/openai-server.ts';
import { launchChromium } from './browser.ts';

/**
 * The Ask panel as a conversation, in headless Chromium against the real server and database
 * (part of the example company: its records and one news article): a follow-up answered in the
 * context of the previous answer, the conversation kept over a reload and listed under History,
 * "did you mean" readings that ask the chosen reading, the graph highlighting exactly an answer's
 * rows (and nothing for "not found"), and a written answer streamed word by word from a fake LLM,
 * which Cancel stops at the model. Screenshots of the panel at three sizes go to test-results/ui/.
 */

const SHOTS = path.resolve(import.meta.dirname, '../../test-results/ui');
/** How long a poll waits for the server (the machine is shared; this bounds a wait, it measures nothing). */
const WAIT = { timeout: 30_000 };

interface View {
  highlighted(): string[];
}
declare const kgragView: View;

describe('web UI: Ask as a conversation', () => {
  const fake = useFakeLlmServer();
  let app: Kgrag;
  let api: Api;
  let base = '';
  let browser: Browser;
  let page: Page;
  let key = '';
  const C = uniqueCollection('ui-ask');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-ui-ask-'));
  const errors: string[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  const rest = async <T>(p: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    return { status: res.status, body: (await res.json()) as T };
  };
  /** The node ids of entities with exactly these names in the collection. */
  const idsOf = async (names: string[]) => {
    const ids: string[] = [];
    for (const name of names) {
      const { body } = await rest<{ items: Array<{ id: string; name: string }> }>(`/v1/entities?collection=${C}&q=${encodeURIComponent(name)}&limit=50`);
      const same = body.items.filter((e) => e.name === name);
      expect(same, name).toHaveLength(1);
      ids.push(same[0]!.id);
    }
    return ids.sort();
  };
  const highlighted = async () => (await page.evaluate(() => kgragView.highlighted())).sort();
  const turns = () => page.getByTestId('answer-turn');
  /** Types a question, asks it and waits until its answer is shown. */
  const ask = async (question: string) => {
    const before = await turns().count();
    await page.getByTestId('question').fill(question);
    await page.getByTestId('ask').click();
    await expect.poll(() => turns().count(), { timeout: 120_000 }).toBe(before + 1);
    return turns().last();
  };
  const open = async () => {
    await page.goto(base);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('collection').selectOption(C);
    await page.getByTestId('tab-ask').click();
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    app = await openTestApp((c) => {
      c.api = { ...c.api, keysFile: path.join(home, 'keys.json') };
    });
    await loadExampleGraph(app, C, path.resolve(import.meta.dirname, '../../examples'), ['companies.csv', 'offices.json', 'employees.csv'], ['initech-acquisition.html']);
    app.catalogs.invalidate();
    key = (await new KeyStore(app.db).create({ name: 'ui-ask', role: 'editor', collections: [C] })).key;
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.addInitScript((k) => sessionStorage.setItem('kgrag.apiKey', k), key);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    if (app) {
      app.chat = undefined;
      // This test's conversations (their turns carry the conversation's id).
      await app.db.write(
        `MATCH (c:_KgragConversation) WHERE $c IN c.collections
         OPTIONAL MATCH (t:_KgragTurn {conversationId: c.id})
         DETACH DELETE c, t`,
        { c: C },
      );
      await dropCollections(app, [C]);
      await app.close();
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('answers a follow-up in the context of the previous answer, and highlights exactly the rows of each', async () => {
    await open();
    await page.getByTestId('ask-intro').waitFor();
    const first = await ask('Which employees report to Jane Smith?');
    const reports = ['David Okafor', 'Emily Doe', 'Laura Becker', 'Omar Haddad', 'Sarah Kim'];
    for (const name of reports) expect(await first.getByTestId('answer').innerText()).toContain(name);
    // The names in the answer link to their nodes, and exactly those nodes are highlighted.
    await expect.poll(() => first.getByTestId('answer').getByTestId('entity-link').count(), WAIT).toBe(5);
    await expect.poll(highlighted, WAIT).toEqual(await idsOf(reports));

    const followUp = await ask('Which of them work in Berlin?');
    expect(await followUp.getByTestId('answer').innerText()).toContain('Laura Becker');
    expect(await followUp.getByTestId('answer').innerText()).not.toMatch(/Chen Wei|Hannah Weber/); // in Berlin, but not Jane Smith's reports
    expect(await followUp.getByTestId('standalone').innerText()).toMatch(/Berlin/);
    await expect.poll(highlighted, WAIT).toEqual(await idsOf(['Laura Becker']));
    // Copy puts the answer on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await followUp.getByTestId('copy').click();
    await followUp.getByTestId('copy').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await followUp.getByTestId('answer').innerText());
    // A name in the answer opens its node.
    await followUp.getByTestId('answer').getByTestId('entity-link').filter({ hasText: 'Laura Becker' }).click();
    await page.getByTestId('entity-name').filter({ hasText: 'Laura Becker' }).waitFor();
    await shot('ask-01-follow-up');
  });

  it('keeps the conversation over a reload, lists it under History, reopens it and deletes it', async () => {
    await open();
    await expect.poll(() => turns().count(), WAIT).toBe(2);
    expect(await turns().first().getByTestId('turn-question').innerText()).toBe('Which employees report to Jane Smith?');
    expect(await turns().last().getByTestId('turn-question').innerText()).toBe('Which of them work in Berlin?');

    await page.getByTestId('history-toggle').click();
    const item = page.getByTestId('history-item').filter({ hasText: 'Which employees report to Jane Smith?' });
    await item.waitFor();
    expect(await item.innerText()).toMatch(/2 questions/);

    await page.getByTestId('new-conversation').click();
    await page.getByTestId('ask-intro').waitFor();
    expect(await turns().count()).toBe(0);
    await item.getByTestId('history-open').click();
    await expect.poll(() => turns().count(), WAIT).toBe(2);
    await shot('ask-02-history');

    const { body: listed } = await rest<{ items: Array<{ id: string; title: string }> }>(`/v1/conversations?collection=${C}`);
    const id = listed.items.find((c) => c.title.startsWith('Which employees report to Jane Smith?'))!.id;
    const del = item.getByTestId('delete-conversation');
    await del.click();
    expect(await del.innerText()).toBe('Really delete?');
    await del.click();
    await page.getByTestId('toast-info').filter({ hasText: 'deleted' }).waitFor();
    await expect.poll(() => page.getByTestId('history-item').filter({ hasText: 'Which employees report to Jane Smith?' }).count(), WAIT).toBe(0);
    expect(await turns().count()).toBe(0); // it was the one shown
    expect((await rest(`/v1/conversations/${id}`)).status).toBe(404);
    await page.getByTestId('history-toggle').click();
  });

  it('highlights nothing for "not found", and asks the "did you mean" reading chosen', async () => {
    await open();
    // An "as of" day goes with the question, and the turn says so.
    await page.getByTestId('as-of').fill('2025-06-30');
    const sent = page.waitForRequest((r) => r.url().endsWith('/v1/ask/stream'));
    const listed = await ask('Which employees report to Jane Smith?');
    expect((await sent).postDataJSON()).toMatchObject({ question: 'Which employees report to Jane Smith?', asOf: '2025-06-30', collections: [C] });
    expect(await listed.getByTestId('as-of-badge').innerText()).toBe('as of 2025-06-30');
    await page.getByTestId('as-of').fill('');
    await expect.poll(highlighted, WAIT).toHaveLength(5);
    expect(await listed.getByTestId('answer').innerText()).toContain('Omar Haddad');

    const declined = await ask('List the top 2 employees.');
    expect(await declined.getAttribute('data-state')).toBe('done');
    expect(await declined.getByTestId('answer').getAttribute('class')).toContain('not-found');
    await expect.poll(highlighted, WAIT).toEqual([]);
    const readings = declined.getByTestId('alternative');
    expect(await readings.count()).toBeGreaterThan(0);
    expect(await readings.first().innerText()).toMatch(/Person/);

    const before = await turns().count();
    await readings.first().click();
    await expect.poll(() => turns().count(), { timeout: 120_000 }).toBe(before + 1);
    const chosen = turns().last();
    expect(await chosen.getByTestId('chosen-reading').innerText()).toMatch(/Person/);
    expect(await chosen.getByTestId('plan').innerText()).toMatch(/Plan: structured/);
    const rows = chosen.getByTestId('rows');
    await rows.locator('summary').click();
    const names = await rows.locator('tbody tr td:first-child').allInnerTexts();
    expect(names).toHaveLength(2);
    await expect.poll(highlighted, WAIT).toEqual(await idsOf(names));
    await shot('ask-03-did-you-mean');
  });

  it('streams a written answer as the model writes it, and Cancel stops the model', async () => {
    const chat = createChatModel(
      loadConfig({ KGRAG_LLM_MODEL: 'fake-model', KGRAG_LLM_BASE_URL: fake().openAiBaseUrl, KGRAG_LLM_TIMEOUT_MS: '60000', KGRAG_LLM_MAX_RETRIES: '0' }, { dotenv: false, cwd: home }).llm as LlmConfig,
      silentLogger(),
    );
    app.chat = chat;
    const isCypher = (r: FakeChatRequest) => messageText(r, 'system').includes('Cypher');
    const awardPassage = (r: FakeChatRequest) => /\[(\d+)\][^[]*Innovation Award/.exec(messageText(r, 'user'))?.[1] ?? '1';
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `word${i + 1}`).join(' ');
    let words = 0;
    fake().handle((r) => {
      if (isCypher(r)) return JSON.stringify({ cypher: '', params: [], explanation: 'The schema has no awards.' });
      if (!r.stream) return { status: 500, message: 'only the Cypher and the streamed answer are scripted' };
      const content = `Acme Analytics won the 2024 Boston Data Innovation Award [${awardPassage(r)}]. ${filler(words)}`;
      return { content, wordDelayMs: 120 };
    });
    try {
      await open();
      await page.getByTestId('new-conversation').click();
      words = 25;
      await page.getByTestId('question').fill('What award did Acme Analytics win for 2024?');
      await page.getByTestId('ask').click();
      const pending = page.getByTestId('pending-turn');
      await pending.getByTestId('elapsed').filter({ hasText: /\d+\.\d s/ }).waitFor();
      // Part of the answer is on the page while the rest is still being written.
      await pending.getByTestId('streamed-answer').filter({ hasText: 'word5' }).waitFor({ timeout: 60_000 });
      expect(await pending.getByTestId('streamed-answer').innerText()).not.toContain('word25');
      expect(await pending.getByTestId('streamed-answer').locator('*').count()).toBe(0); // text, never markup
      await shot('ask-04-streaming');
      const done = turns().last();
      await done.getByTestId('answer').filter({ hasText: 'word25' }).waitFor({ timeout: 60_000 });
      expect(await done.getByTestId('citation').count()).toBeGreaterThan(0);
      expect(await done.getByTestId('plan').innerText()).toMatch(/Plan: semantic/);

      await page.getByTestId('new-conversation').click();
      words = 400;
      fake().reset();
      await page.getByTestId('question').fill('What award did Acme Analytics win for 2024?');
      await page.getByTestId('ask').click();
      await page.getByTestId('pending-turn').getByTestId('streamed-answer').filter({ hasText: 'word3' }).waitFor({ timeout: 60_000 });
      await page.getByTestId('pending-turn').getByTestId('cancel').click();
      const cancelled = page.getByTestId('failed-turn').last();
      await expect.poll(() => cancelled.getAttribute('data-state'), WAIT).toBe('cancelled');
      // The model was told: its connection was closed before it finished writing.
      const answerRequest = () => fake().requests.find((r) => r.stream);
      await expect.poll(() => answerRequest()?.closedEarly, { timeout: 30_000 }).toBe(true);
      expect(answerRequest()!.piecesSent).toBeLessThan(400);
      expect(await cancelled.getByTestId('turn-status').innerText()).toBe('Cancelled.');
      await expect.poll(() => fake().inFlight, WAIT).toBe(0);
      // Retry asks it again.
      words = 3;
      await cancelled.getByTestId('retry').click();
      await turns().last().getByTestId('answer').filter({ hasText: 'word3' }).waitFor({ timeout: 60_000 });
    } finally {
      app.chat = undefined;
    }
  });

  it('shows the panel at desktop, laptop and phone sizes', async () => {
    await open();
    await ask('Which employees report to Jane Smith?');
    for (const [width, height] of [[1440, 900], [1024, 700], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(300);
      // On a phone the panels are views behind tabs.
      if (width <= 768) await page.getByTestId('view-panel').click();
      // The question box and the answer fit the width of the screen.
      for (const part of [page.getByTestId('question'), turns().last().getByTestId('answer')]) {
        const box = (await part.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(width);
      }
      await shot(`ask-05-${width}x${height}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('speaks Chinese to a browser that prefers it', async () => {
    const zh = await browser.newPage({ viewport: { width: 1024, height: 700 }, locale: 'zh-CN' });
    try {
      await zh.addInitScript((k) => sessionStorage.setItem('kgrag.apiKey', k), key);
      await zh.goto(base);
      await zh.waitForSelector('body[data-ready="true"]');
      await zh.getByTestId('collection').selectOption(C);
      expect(await zh.getByTestId('ask').innerText()).toBe('提问');
      expect(await zh.getByTestId('new-conversation').innerText()).toBe('新对话');
      await zh.getByTestId('question').fill('Which employees report to Jane Smith?');
      await zh.getByTestId('ask').click();
      const turn = zh.getByTestId('answer-turn').last();
      await turn.waitFor({ timeout: 120_000 });
      expect(await turn.getByTestId('plan').locator('summary').innerText()).toMatch(/^计划：精确查询/);
      expect(await turn.getByTestId('copy').innerText()).toBe('复制');
      await zh.screenshot({ path: path.join(SHOTS, 'ask-06-zh.png') });
    } finally {
      await zh.close();
    }
  });

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
  });
});
