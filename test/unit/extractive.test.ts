import { describe, expect, it } from 'vitest';
import { citationNumbers, findVerbatim, NOT_FOUND_ANSWER, rewriteCitations } from '../../src/answer/citations.ts';
import { extractiveAnswer } from '../../src/answer/extractive.ts';
import { analyseQuestion } from '../../src/answer/question.ts';
import { splitSentences } from '../../src/answer/sentences.ts';
import { FakeEmbedder } from '../../src/embedding/fake.ts';
import type { ContextPassage, RetrievedContext } from '../../src/planner/types.ts';

function passage(n: number, title: string, text: string, page: number | null = null): ContextPassage {
  return { chunkId: `doc${n}:0`, documentId: `doc${n}`, title, source: `/docs/${n}.md`, page, text, score: 1 / n, via: 'search' };
}

function context(passages: ContextPassage[], entities: string[] = []): RetrievedContext {
  return { passages, facts: [], entities: entities.map((name, i) => ({ id: `e${i}`, name, type: 'Person' })), cypher: [] };
}

const DIRECTORY = passage(
  1,
  'Team directory',
  'Jane Smith is the chief executive officer of Acme Analytics. She joined in 2015 from Initech.\n\n' +
    'Omar Haddad is the chief technology officer. Omar Haddad was born in Beirut in 1979 and studied in Montréal.',
);
const MEMO = passage(
  2,
  'Q3 engineering memo',
  'The Cobalt migration finished in August. Query latency for customer dashboards dropped from 2.4 seconds to 380 ms at the 95th percentile. Dr. Karen Walsh approved the rollout.',
  3,
);
const PRESS = passage(3, 'Press release', 'Acme Analytics opened its Toronto office in 2022. The office has forty staff.');
const KB = context([DIRECTORY, MEMO, PRESS], ['Jane Smith', 'Omar Haddad', 'Acme Analytics', 'Karen Walsh']);

describe('extractive answers', () => {
  it('cites the sentence that answers, quoted verbatim from the passage', async () => {
    const result = await extractiveAnswer('Where was Omar Haddad born?', KB);
    expect(result.found).toBe(true);
    expect(result.citations).toHaveLength(1);
    const [citation] = result.citations;
    expect(citation).toMatchObject({ n: 1, chunkId: 'doc1:0', documentId: 'doc1', title: 'Team directory', source: '/docs/1.md', page: null });
    expect(citation!.quote).toBe('Omar Haddad was born in Beirut in 1979 and studied in Montréal.');
    expect(DIRECTORY.text).toContain(citation!.quote);
    expect(result.answer).toBe('Omar Haddad was born in Beirut in 1979 and studied in Montréal. [1]');
  });

  it('matches role titles and their abbreviations, and picks the sentence with the value asked for', async () => {
    const ceo = await extractiveAnswer('Who is the CEO of Acme Analytics?', KB);
    expect(ceo.found).toBe(true);
    expect(ceo.citations[0]!.quote).toBe('Jane Smith is the chief executive officer of Acme Analytics.');

    const latency = await extractiveAnswer('What was the 95th-percentile dashboard latency after the Cobalt migration?', KB);
    expect(latency.found).toBe(true);
    expect(latency.citations[0]).toMatchObject({ chunkId: 'doc2:0', page: 3 });
    expect(latency.answer).toContain('380 ms');

    const when = await extractiveAnswer('When did Acme Analytics open its Toronto office?', KB);
    expect(when.answer).toBe('Acme Analytics opened its Toronto office in 2022. [1]');
  });

  it('says plainly that the knowledge base does not contain the answer when the key terms are absent', async () => {
    for (const question of [
      "What is Jane Smith's phone number?",
      "What is Jane Smith's date of birth?",
      'Who is the CFO of Acme Analytics?',
      'When did Project Zephyr start?',
      'How much does Omar Haddad earn?',
    ]) {
      const result = await extractiveAnswer(question, KB);
      expect(result, question).toMatchObject({ found: false, answer: NOT_FOUND_ANSWER, citations: [] });
    }
  });

  it('offers the closest passages as related, never as support, when it finds nothing', async () => {
    const result = await extractiveAnswer("What is Jane Smith's phone number?", KB);
    expect(result.related.length).toBeGreaterThan(0);
    expect(result.related[0]!.quote).toContain('Jane Smith');
    expect(result.answer).not.toMatch(/\[\d\]/);
  });

  it('answers nothing from an empty context', async () => {
    const result = await extractiveAnswer('Where was Omar Haddad born?', context([]));
    expect(result).toMatchObject({ found: false, answer: NOT_FOUND_ANSWER, citations: [], related: [] });
  });

  it('cites one sentence per passage when the question needs two passages', async () => {
    const people = context([
      passage(1, 'Ann Lee', 'Ann Lee is a painter. Ann Lee was born in Oslo in 1950.'),
      passage(2, 'Bo Chan', 'Bo Chan is a sculptor. Bo Chan was born in Lima in 1962.'),
    ], ['Ann Lee', 'Bo Chan']);
    const result = await extractiveAnswer('Where were Ann Lee and Bo Chan born?', people);
    expect(result.found).toBe(true);
    expect(result.citations.map((c) => c.quote).sort()).toEqual(['Ann Lee was born in Oslo in 1950.', 'Bo Chan was born in Lima in 1962.']);
    expect(result.answer).toMatch(/born in (Oslo|Lima) in \d{4}\. \[1\] .* \[2\]$/);
    expect(result.citations.map((c) => c.n)).toEqual([1, 2]);
  });

  it('takes a sentence whose name is only in the passage title or the previous sentence', async () => {
    const kb = context([passage(1, 'Maria Lopez', 'Maria Lopez is an architect. She was born in Valencia in 1971.')], ['Maria Lopez']);
    const result = await extractiveAnswer('Where was Maria Lopez born?', kb);
    expect(result.found).toBe(true);
    expect(result.citations[0]!.quote).toBe('She was born in Valencia in 1971.');
  });

  it('uses an embedder when given one, with the same grounding rules', async () => {
    const embedder = new FakeEmbedder();
    const found = await extractiveAnswer('Where was Omar Haddad born?', KB, { embedder });
    expect(found.citations[0]!.quote).toBe('Omar Haddad was born in Beirut in 1979 and studied in Montréal.');
    const absent = await extractiveAnswer("What is Jane Smith's phone number?", KB, { embedder });
    expect(absent.found).toBe(false);
    await expect(extractiveAnswer('Where?', KB, { maxSentences: 4 })).rejects.toThrow(/maxSentences/);
  });
});

describe('question analysis', () => {
  it('separates the names a question gives from what it asks', () => {
    const q = analyseQuestion('According to the Boston Tech Wire article, in which year did John Doe join Acme Analytics?', ['John Doe']);
    expect(q.names).toEqual(expect.arrayContaining(['John Doe', 'Boston Tech Wire', 'Acme Analytics']));
    expect(q.names).not.toContain('According');
    expect(q.askedTerms).toEqual(['join']);
    expect(q.type).toBe('date');
    expect(analyseQuestion('Who is the chief executive officer of Globex?').askedTerms).toEqual(['ceo']);
    expect(analyseQuestion('How many staff work in Berlin?').type).toBe('number');
  });
});

describe('sentences', () => {
  it('splits at sentence ends but not after initials, titles or abbreviations, and keeps offsets verbatim', () => {
    const text = 'Dr. Karen Walsh met Alexander B. H. Cox in the U.S. Army. Version 2.5 shipped!\n\n- Toronto: Ana Silva\nName | Role\nJane | CEO';
    const spans = splitSentences(text);
    expect(spans.map((s) => s.text)).toEqual([
      'Dr. Karen Walsh met Alexander B. H. Cox in the U.S. Army.',
      'Version 2.5 shipped!',
      '- Toronto: Ana Silva',
      'Name | Role',
      'Jane | CEO',
    ]);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });
});

describe('citation markers', () => {
  it('reads, renumbers and drops [n] markers', () => {
    expect(citationNumbers('A [2]. B [1, 3][2].')).toEqual([2, 1, 3]);
    const map = new Map([[2, 1], [1, 2]]);
    expect(rewriteCitations('A [2]. B [1, 9]. C [9].', (n) => map.get(n))).toBe('A [1]. B [2]. C.');
  });

  it('finds a quote in the passage despite case, spacing and typographic quotes, returning the passage text', () => {
    const text = 'He said “we\n  wanted a partner” at the launch.';
    expect(findVerbatim(text, 'He said "we wanted a PARTNER"')).toBe('He said “we\n  wanted a partner”');
    expect(findVerbatim(text, 'something else')).toBeUndefined();
  });
});
