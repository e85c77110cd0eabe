import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { askInConversation } from '../../src/conversation/ask.ts';
import { ConversationStore } from '../../src/conversation/store.ts';
import { importRecords } from '../../src/import/importer.ts';
import { loadMapping } from '../../src/import/mapping.ts';
import { EXAMPLES_DIR, EXAMPLE_IMPORTS, EXAMPLE_REFERENCE_DATE } from '../../scripts/eval/example-kb.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';
import { miss, type GoldPair } from '../support/conversation-gold.ts';

/**
 * The scripted conversation (test/gold/conversations.jsonl, see test/gold/README.md): each pair is
 * a question and a follow-up over the example records (English and Chinese), resolved without an
 * LLM. A pair is right when the follow-up's answer is the expected one (or, where the gold says so,
 * when it is declined), and, for a set reference, when the plan says which set it was asked of.
 */
const GOLD: GoldPair[] = readFileSync(path.resolve(import.meta.dirname, '../gold/conversations.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as GoldPair);

async function loadRecords(app: Kgrag, collection: string, dir: string): Promise<void> {
  for (const file of EXAMPLE_IMPORTS) {
    const mapping = await loadMapping(path.join(dir, 'mappings', file.replace(/\.\w+$/, '.mapping.json')));
    const summary = await importRecords(app.db, path.join(dir, 'data', file), mapping, { collection, logger: app.logger });
    expect(summary.errors).toEqual([]);
  }
}

describe('scripted conversation: follow-ups resolved by rules over the previous turn', () => {
  let app: Kgrag;
  let store: ConversationStore;
  const kb = { en: uniqueCollection('conv-en'), zh: uniqueCollection('conv-zh') };
  const owner = uniqueCollection('owner');

  beforeAll(async () => {
    app = await openTestApp((c) => {
      c.llm = undefined;
    });
    store = new ConversationStore(app.db);
    await loadRecords(app, kb.en, EXAMPLES_DIR);
    await loadRecords(app, kb.zh, path.join(EXAMPLES_DIR, 'zh'));
    app.catalogs.invalidate();
  }, 300_000);
  afterAll(async () => {
    await app.db.write('MATCH (n) WHERE (n:_KgragConversation AND n.owner = $owner) OR (n:_KgragTurn AND n.conversationId STARTS WITH "conv_" AND NOT EXISTS { MATCH (c:_KgragConversation) WHERE c.id = n.conversationId }) DETACH DELETE n', { owner });
    await dropCollections(app, [kb.en, kb.zh]);
    await app.close();
  });

  it(`resolves at least 90% of the ${GOLD.length} gold follow-ups`, async () => {
    expect(GOLD.length).toBeGreaterThanOrEqual(25);
    const misses: string[] = [];
    for (const pair of GOLD) {
      const conversation = await store.create(owner, { collections: [kb[pair.kb]] });
      const ask = async (question: string) =>
        askInConversation(app, store, { question, collections: [kb[pair.kb]], owner, asOf: EXAMPLE_REFERENCE_DATE, conversation: (await store.recent(owner, conversation.id))! });
      const first = await ask(pair.question);
      const follow = await ask(pair.followUp);
      const why = miss(pair, follow);
      if (why) misses.push(`${pair.id} ${pair.followUp} (after "${pair.question}" → ${first.rows.length} rows; read as "${follow.standaloneQuestion ?? follow.question}"): ${why}`);
    }
    const right = GOLD.length - misses.length;
    console.log(`conversation gold: ${right}/${GOLD.length} right (${((100 * right) / GOLD.length).toFixed(1)}%)\n${misses.join('\n')}`);
    expect(right / GOLD.length).toBeGreaterThanOrEqual(0.9);
  }, 600_000);
});
